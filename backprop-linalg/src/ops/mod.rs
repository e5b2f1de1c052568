//! Every operation, one module per group, each a function on [`BVar`](backprop_core::BVar)s with
//! its gradient rule in its documentation and its pullback beside its forward code.
//!
//! The shared suite in the workspace's `tests/` crate checks every one against finite
//! differences on every backend.

mod record;

pub mod products;
pub mod structure;

pub use products::{app, cross, dot, mul, outer};
pub use structure::{m_tm, sum_elements, sym, tr, un_sym};
