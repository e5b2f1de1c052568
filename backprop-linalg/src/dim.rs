//! Sizes: every size parameter of [`R`](crate::R), [`L`](crate::L), [`Sym`](crate::Sym),
//! [`C`](crate::C), [`M`](crate::M) and [`Her`](crate::Her) is a [`Dim`]: either a compile-time
//! size, a typenum natural (`U3`), which the compiler checks and which costs nothing at run
//! time, or [`Dyn`], a size known only at run time, which lives in the value's storage and is
//! checked when an operation needs it to match another (with a
//! [`LinalgError::ShapeMismatch`](crate::LinalgError::ShapeMismatch) from the `try_` form).
//!
//! The two mix: a `L<U3, Dyn>` has three rows and any number of columns, and times a
//! `L<Dyn, U4>` it gives a `L<U3, U4>`. Size arithmetic ([`append`](crate::append),
//! [`hcat`](crate::hcat), [`split`](crate::split), ...) gives a static size when every operand
//! is static and [`Dyn`] otherwise ([`DimAdd`], [`DimSub`], and [`DimConv`], [`DimCorr`] for the
//! convolutions).
//!
//! ```
//! use backprop_linalg::{BVar, Dim, Dyn, L, R, app, grad_bp, sum_elements, typenum::U3};
//!
//! // Generic code names a size with the one bound `Dim`.
//! fn total<'t, M: Dim, N: Dim>(a: BVar<'t, L<M, N>>, x: &R<N>) -> BVar<'t, f64> {
//!     sum_elements(app(a, a.tape().constant(x.clone())))
//! }
//!
//! // Three rows, a number of columns read from data.
//! let n = 4;
//! let a: L<U3, Dyn> = L::from_fn_shape(3, n, |i, j| (i + j) as f64);
//! let x: R<Dyn> = R::from_fn_len(n, |j| j as f64);
//! let g = grad_bp(|a| total(a, &x), &a);
//! assert_eq!(g.to_row_major()[..4], [0.0, 1.0, 2.0, 3.0]);
//! ```
//!
//! Constructors whose size is in the type take none (`R::<U3>::konst(1.0)`); their twins for
//! run-time sizes take it, and work for every [`Dim`], checking a static one:
//! `R::from_fn_len(n, f)`, `R::konst_len(n, x)`, `L::from_fn_shape(rows, cols, f)`,
//! `L::from_row_major_shape(rows, cols, s)`, `L::zeros_shape(rows, cols)`, `L::eye_n(n)`,
//! `Sym::from_fn_n(n, f)`.

use std::ops::{Add, Sub};

use typenum::{Add1, B1, Diff, IsLessOrEqual, Sub1, Sum, True, Unsigned};

/// A size: a typenum natural (`U3`, known at compile time) or [`Dyn`] (known at run time).
///
/// The one bound generic code needs for a size: `fn f<M: Dim, N: Dim>(a: &L<M, N>)`. A size is
/// a plain marker (`Copy`, `Eq`, `Debug`), so `#[derive(Clone, Debug, ...)]` on a struct generic
/// over sizes works.
pub trait Dim: Copy + Eq + std::fmt::Debug + Send + Sync + 'static {
    /// The size, if the type fixes it (`Some(3)` for `U3`, `None` for [`Dyn`]).
    const STATIC: Option<usize>;

    /// Whether a run-time size `n` is one this type allows.
    #[inline]
    fn admits(n: usize) -> bool {
        match Self::STATIC {
            Some(s) => s == n,
            None => true,
        }
    }

    /// The size as messages write it: `3`, or `any` for [`Dyn`].
    fn describe() -> String {
        match Self::STATIC {
            Some(s) => s.to_string(),
            None => "any".to_owned(),
        }
    }
}

/// A size known only at run time (nalgebra's `Dyn`): the length is the value's.
///
/// An uninhabited marker; a `R<Dyn>` is a [`Vector`](crate::Vector), a `L<Dyn, Dyn>` a
/// [`Matrix`](crate::Matrix).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dyn {}

impl Dim for Dyn {
    const STATIC: Option<usize> = None;
}

/// A size fixed at compile time: every typenum natural. Constructors that take no size
/// (`R::<U3>::konst(1.0)`) need it.
pub trait StaticDim: Dim {
    /// The size.
    const SIZE: usize;
}

impl<U: Unsigned + Eq + std::fmt::Debug + Send + Sync + 'static> Dim for U {
    const STATIC: Option<usize> = Some(U::USIZE);
}

impl<U: Unsigned + Eq + std::fmt::Debug + Send + Sync + 'static> StaticDim for U {
    const SIZE: usize = U::USIZE;
}

/// The size of a concatenation: `Sum<N, M>` when both are static, [`Dyn`] otherwise.
pub trait DimAdd<Rhs: Dim>: Dim {
    /// `Self + Rhs`.
    type Output: Dim;
}

/// `N + M` as a size ([`DimAdd`]).
pub type DimSum<N, M> = <N as DimAdd<M>>::Output;

impl<N, M> DimAdd<M> for N
where
    N: Dim + Unsigned + Add<M>,
    M: Dim + Unsigned,
    Sum<N, M>: Dim + Unsigned,
{
    type Output = Sum<N, M>;
}

impl<N: Dim + Unsigned> DimAdd<Dyn> for N {
    type Output = Dyn;
}

impl<M: Dim> DimAdd<M> for Dyn {
    type Output = Dyn;
}

/// What is left of a size after its first `P` (a static split point): `Diff<N, P>` when `N`
/// is static (and the compiler checks `P ≤ N`), [`Dyn`] when `N` is (and the operation checks
/// it at run time).
pub trait DimSub<P: StaticDim>: Dim {
    /// `Self − P`.
    type Output: Dim;
}

/// `N − P` as a size ([`DimSub`]).
pub type DimDiff<N, P> = <N as DimSub<P>>::Output;

impl<N, P> DimSub<P> for N
where
    N: Dim + Unsigned + Sub<P>,
    P: StaticDim + Unsigned + IsLessOrEqual<N, Output = True>,
    Diff<N, P>: Dim + Unsigned,
{
    type Output = Diff<N, P>;
}

impl<P: StaticDim> DimSub<P> for Dyn {
    type Output = Dyn;
}

/// The length of a full convolution ([`conv`](crate::conv)) of a signal of length `Self` with
/// a kernel of length `K`: `Self + K − 1` when both are static, [`Dyn`] otherwise.
pub trait DimConv<K: Dim>: Dim {
    /// `Self + K − 1`.
    type Output: Dim;
}

/// `N + K − 1` as a size ([`DimConv`]).
pub type ConvLen<N, K> = <N as DimConv<K>>::Output;

impl<N, K> DimConv<K> for N
where
    N: Dim + Unsigned + Add<K>,
    K: Dim + Unsigned,
    Sum<N, K>: Sub<B1>,
    Sub1<Sum<N, K>>: Dim + Unsigned,
{
    type Output = Sub1<Sum<N, K>>;
}

impl<N: Dim + Unsigned> DimConv<Dyn> for N {
    type Output = Dyn;
}

impl<K: Dim> DimConv<K> for Dyn {
    type Output = Dyn;
}

/// The length of a valid correlation ([`corr`](crate::corr)) of a kernel of length `K` over a
/// signal of length `Self`: `Self − K + 1` when both are static (and the compiler checks
/// `K ≤ Self`), [`Dyn`] otherwise (and the operation checks it at run time).
pub trait DimCorr<K: Dim>: Dim {
    /// `Self − K + 1`.
    type Output: Dim;
}

/// `N − K + 1` as a size ([`DimCorr`]).
pub type CorrLen<N, K> = <N as DimCorr<K>>::Output;

impl<N, K> DimCorr<K> for N
where
    N: Dim + Unsigned + Sub<K>,
    K: Dim + Unsigned + IsLessOrEqual<N, Output = True>,
    Diff<N, K>: Add<B1>,
    Add1<Diff<N, K>>: Dim + Unsigned,
{
    type Output = Add1<Diff<N, K>>;
}

impl<N: Dim + Unsigned> DimCorr<Dyn> for N {
    type Output = Dyn;
}

impl<K: Dim> DimCorr<K> for Dyn {
    type Output = Dyn;
}

/// `Self ≤ M`, for the operations that need a tall (or a wide) matrix: checked by the compiler
/// when both sizes are static, at run time (a
/// [`LinalgError::ShapeMismatch`](crate::LinalgError::ShapeMismatch)) when either is [`Dyn`].
pub trait DimLe<M: Dim>: Dim {}

impl<N, M> DimLe<M> for N
where
    N: Dim + Unsigned + IsLessOrEqual<M, Output = True>,
    M: Dim + Unsigned,
{
}

impl<N: Dim + Unsigned> DimLe<Dyn> for N {}

impl<M: Dim> DimLe<M> for Dyn {}

#[cfg(test)]
mod tests {
    use super::*;
    use typenum::{U2, U3, U5};

    fn same<A: 'static, B: 'static>() -> bool {
        std::any::TypeId::of::<A>() == std::any::TypeId::of::<B>()
    }

    #[test]
    fn static_sizes_add_and_subtract_as_numbers() {
        assert!(same::<DimSum<U2, U3>, U5>());
        assert!(same::<DimDiff<U5, U2>, U3>());
        assert!(same::<ConvLen<U3, U2>, typenum::U4>());
        assert!(same::<CorrLen<U5, U3>, U3>());
    }

    #[test]
    fn a_dynamic_operand_makes_the_result_dynamic() {
        assert!(same::<DimSum<U2, Dyn>, Dyn>());
        assert!(same::<DimSum<Dyn, U2>, Dyn>());
        assert!(same::<DimSum<Dyn, Dyn>, Dyn>());
        assert!(same::<DimDiff<Dyn, U2>, Dyn>());
        assert!(same::<ConvLen<Dyn, U2>, Dyn>() && same::<ConvLen<U2, Dyn>, Dyn>());
        assert!(same::<CorrLen<Dyn, U2>, Dyn>() && same::<CorrLen<U2, Dyn>, Dyn>());
    }

    #[test]
    fn admits_checks_static_sizes_only() {
        assert!(U3::admits(3) && !U3::admits(2));
        assert!(Dyn::admits(0) && Dyn::admits(7));
        assert_eq!(
            (U3::describe(), Dyn::describe()),
            ("3".into(), "any".into())
        );
    }
}
