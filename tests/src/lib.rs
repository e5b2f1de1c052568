//! Shared test support for backprop-rs: proptest generators of well-conditioned inputs and a
//! small reference dense matrix type with naive (triple-loop) operations to check backends
//! against.
//!
//! The test suites live in `tests/`; this library holds what they share.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod dense;
pub mod generators;

pub use dense::Dense;
