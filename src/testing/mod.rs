//! Tools for testing systems that use callstate: realistic simulated logs and, with
//! the `proptest` feature, proptest strategies.

pub mod simulate;
#[cfg(feature = "proptest")]
#[cfg_attr(docsrs, doc(cfg(feature = "proptest")))]
pub mod strategies;
