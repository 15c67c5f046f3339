fn main() {
    std::process::exit(callstate::cli::main());
}
