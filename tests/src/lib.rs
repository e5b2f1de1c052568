//! Shared test support for backprop-rs: proptest generators of well-conditioned inputs, a
//! small reference dense matrix type with naive (triple-loop) operations to check backends
//! against, and the gradient-suite harness ([`gradcheck`]).
//!
//! The test suites live in `tests/`; this library holds what they share.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod dense;
pub mod generators;
pub mod gradcheck;

pub use dense::Dense;
