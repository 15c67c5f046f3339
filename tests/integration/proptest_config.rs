//! The proptest configuration the property suites share (`crate::proptest_config`).

use proptest::test_runner::{Config as ProptestConfig, FileFailurePersistence};

/// `cases` cases (unless `PROPTEST_CASES` says otherwise), failures persisted in
/// `file` (relative to the package root, where `cargo test` runs integration
/// tests) and replayed first on every later run.
pub fn config(cases: u32, file: &'static str) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(cases);
    ProptestConfig {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(file))),
        ..ProptestConfig::default()
    }
}
