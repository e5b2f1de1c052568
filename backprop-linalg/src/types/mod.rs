//! The value types: [`R`](vector::R), [`L`](matrix::L), [`Sym`](sym::Sym), complex
//! [`C`](complex::C), [`M`](complex::M) and Hermitian [`Her`](her::Her), each size a
//! [`Dim`](crate::Dim) (static or run-time); [`Vector`](vector::Vector) and
//! [`Matrix`](matrix::Matrix) are the all-run-time forms of `R` and `L`.
//!
//! # Tape isolation holds for every size
//!
//! A variable of run-time size is branded with its tape like any other: it cannot leave the
//! closure that differentiates it,
//!
//! ```compile_fail,E0521
//! use backprop_linalg::{BVar, Matrix, grad_bp, sum_elements};
//!
//! let a: Matrix = Matrix::zeros_shape(2, 3);
//! let mut leaked: Option<BVar<'_, Matrix>> = None;
//! let _ = grad_bp(
//!     |a| {
//!         leaked = Some(a);
//!         sum_elements(a)
//!     },
//!     &a,
//! );
//! ```
//!
//! nor meet a variable of another tape (here, of an inner differentiation):
//!
//! ```compile_fail
//! use backprop_linalg::{Vector, dot, grad_bp};
//!
//! let x: Vector = Vector::konst_len(3, 1.0);
//! let _ = grad_bp(
//!     |x| {
//!         let _inner = grad_bp(|y| dot(x, y), &Vector::konst_len(3, 2.0));
//!         dot(x, x)
//!     },
//!     &x,
//! );
//! ```
//!
//! while the same code on one tape compiles and runs:
//!
//! ```
//! use backprop_linalg::{Vector, dot, grad_bp};
//!
//! let x: Vector = Vector::konst_len(3, 1.0);
//! let g = grad_bp(|x| dot(x, x), &x);
//! assert_eq!(g.to_vec(), [2.0, 2.0, 2.0]);
//! ```

pub mod complex;
pub mod her;
pub mod matrix;
pub mod sym;
pub mod vector;

#[cfg(test)]
mod tests {
    use crate::{L, R, Sym};
    use typenum::{U2, U3};

    #[test]
    fn update_data_updates_in_place() {
        let mut v: R<U3> = R::konst(1.0);
        v.update_data(|d| {
            *d = <crate::DefaultBackend as backprop_backend::LinalgBackend<f64>>::vec_from_fn(
                3,
                |i| i as f64,
            )
        });
        assert_eq!(v.to_vec(), [0.0, 1.0, 2.0]);
    }

    #[test]
    #[should_panic(expected = "update_data: the storage changed shape from 3×1 to 2×1")]
    fn update_data_refuses_a_change_of_shape() {
        let mut v: R<U3> = R::konst(1.0);
        v.update_data(|d| {
            *d = <crate::DefaultBackend as backprop_backend::LinalgBackend<f64>>::vec_from_fn(
                2,
                |_| 0.0,
            )
        });
    }

    #[test]
    fn from_data_unchecked_keeps_the_entries_as_they_are() {
        let a: L<U2, U2> = L::from_row_major(&[1.0, 2.0, 3.0, 4.0]);
        let s: Sym<U2> = Sym::from_data_unchecked(a.into_data());
        assert_eq!((s.get(0, 1), s.get(1, 0)), (2.0, 3.0));
        // Every other constructor symmetrises.
        let a: L<U2, U2> = L::from_row_major(&[1.0, 2.0, 3.0, 4.0]);
        assert_eq!(Sym::from_sq(&a).get(0, 1), 2.5);
    }

    #[test]
    #[should_panic(expected = "Sym::from_data_unchecked: shape mismatch: expected 2×2, found 3×3")]
    fn from_data_unchecked_checks_the_shape() {
        let a: L<U3, U3> = L::konst(1.0);
        let _: Sym<U2> = Sym::from_data_unchecked(a.into_data());
    }
}
