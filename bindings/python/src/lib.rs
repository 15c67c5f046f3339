use pyo3::prelude::*;
#[pymodule]
fn _callstate(_m: &Bound<'_, PyModule>) -> PyResult<()> {
    Ok(())
}
