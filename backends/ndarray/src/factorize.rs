//! `Factorize` for [`Ndarray`]: ndarray has no decompositions of its own, so each hook views the
//! array as a faer matrix (zero-copy, see [`crate::views`]) and calls the same faer routines as
//! `backprop-faer` ([`backprop_faer::kernels::FaerReal`]); the factors are copied into new arrays.

use backprop_backend::{Factorize, Lu, RealScalar, Transpose, Triangle};
use backprop_faer::kernels::FaerReal;
use ndarray::Array2;
use num_complex::Complex;

use crate::Ndarray;
use crate::views::{array_from_mat, with_mat_ref};

impl<P: RealScalar, T: FaerReal> Factorize<T> for Ndarray<P> {
    fn lu_raw(a: &Array2<T>) -> Lu<Array2<T>, T> {
        let (l, u, perm, perm_sign) = with_mat_ref(a, T::lu);
        Lu {
            l: array_from_mat(&l),
            u: array_from_mat(&u),
            perm,
            perm_sign,
        }
    }
    fn solve_triangular_raw(
        a: &Array2<T>,
        b: &Array2<T>,
        tri: Triangle,
        trans: Transpose,
    ) -> Array2<T> {
        let x = with_mat_ref(a, |av| {
            with_mat_ref(b, |bv| T::solve_triangular(av, bv, tri, trans))
        });
        array_from_mat(&x)
    }
    fn cholesky_raw(a: &Array2<T>) -> Option<Array2<T>> {
        with_mat_ref(a, T::cholesky).map(|l| array_from_mat(&l))
    }
    fn sym_eigen_raw(a: &Array2<T>) -> Option<(Vec<T>, Array2<T>)> {
        with_mat_ref(a, T::sym_eigen).map(|(s, u)| (s, array_from_mat(&u)))
    }
    fn svd_raw(a: &Array2<T>, full: bool) -> Option<(Array2<T>, Vec<T>, Array2<T>)> {
        with_mat_ref(a, |av| T::svd(av, full))
            .map(|(u, s, v)| (array_from_mat(&u), s, array_from_mat(&v)))
    }
    fn qr_raw(a: &Array2<T>, full: bool) -> (Array2<T>, Array2<T>) {
        let (q, r) = with_mat_ref(a, |av| T::qr(av, full));
        (array_from_mat(&q), array_from_mat(&r))
    }
    fn eigen_general_raw(a: &Array2<T>) -> Option<(Vec<Complex<T>>, Array2<T>, Array2<T>)> {
        let (values, re, im) = with_mat_ref(a, T::eigen_general)?;
        Some((values, array_from_mat(&re), array_from_mat(&im)))
    }
}
