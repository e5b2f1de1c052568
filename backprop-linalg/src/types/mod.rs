//! The value types: statically sized [`R`](vector::R), [`L`](matrix::L), [`Sym`](sym::Sym),
//! complex [`C`](complex::C), [`M`](complex::M) and Hermitian [`Her`](her::Her), and dynamically
//! sized [`Vector`](dynamic::Vector) and [`Matrix`](dynamic::Matrix).

pub mod complex;
pub mod dynamic;
pub mod her;
pub mod matrix;
pub mod sym;
pub mod vector;

use crate::backend::LinalgError;

/// Names a constructor's shape error after the constructor (`"L::from_row_major"`), not after
/// the backend function it calls, whose name differs between backends: the message then says
/// which call failed, the same on every backend.
pub(crate) fn named(op: &'static str) -> impl FnOnce(LinalgError) -> LinalgError {
    move |e| match e {
        LinalgError::ShapeMismatch {
            expected, found, ..
        } => LinalgError::ShapeMismatch {
            op,
            expected,
            found,
        },
        other => other,
    }
}
