//! Run-time sizes in the gradient suite: [`ToDyn`] turns a statically sized input into the same
//! entries with [`Dyn`] sizes, [`static_and_dynamic`] checks an op on both (the dynamic gradient
//! against central differences, and static and dynamic values and gradients equal to 1e-14
//! relative), and the `dyn_*` strategies draw well-conditioned inputs of run-time size for the
//! random-size sweeps.

use crate::{ComplexDouble, Double};
use backprop_core::{BVar, Backprop, Coords, backprop};
use backprop_linalg::{C, Dim, Dyn, Her, L, M, Matrix, R, Sym};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use crate::gradcheck::grad_ok;

/// The relative tolerance between an op's static and dynamic values and gradients: they run
/// the same backend code on the same entries, so they agree to rounding.
pub const STATIC_DYNAMIC_TOL: f64 = 1e-14;

/// The same entries with every size run-time ([`Dyn`]): `R<U3>` → `R<Dyn>`, a pair of values →
/// the pair of their dynamic forms. Scalars stay as they are.
pub trait ToDyn {
    /// The dynamically sized type.
    type Dyn: Backprop + Coords + std::fmt::Debug;
    /// A copy with run-time sizes.
    fn to_dyn(&self) -> Self::Dyn;
}

impl ToDyn for f64 {
    type Dyn = f64;
    fn to_dyn(&self) -> f64 {
        *self
    }
}

impl<N: Dim, B: Double> ToDyn for R<N, B> {
    type Dyn = R<Dyn, B>;
    fn to_dyn(&self) -> R<Dyn, B> {
        self.clone().into_dyn()
    }
}

impl<P: Dim, Q: Dim, B: Double> ToDyn for L<P, Q, B> {
    type Dyn = L<Dyn, Dyn, B>;
    fn to_dyn(&self) -> L<Dyn, Dyn, B> {
        self.clone().into_dyn()
    }
}

impl<N: Dim, B: Double> ToDyn for Sym<N, B> {
    type Dyn = Sym<Dyn, B>;
    fn to_dyn(&self) -> Sym<Dyn, B> {
        self.clone().into_dyn()
    }
}

impl<N: Dim, B: ComplexDouble> ToDyn for C<N, B> {
    type Dyn = C<Dyn, B>;
    fn to_dyn(&self) -> C<Dyn, B> {
        self.clone().into_dyn()
    }
}

impl<P: Dim, Q: Dim, B: ComplexDouble> ToDyn for M<P, Q, B> {
    type Dyn = M<Dyn, Dyn, B>;
    fn to_dyn(&self) -> M<Dyn, Dyn, B> {
        self.clone().into_dyn()
    }
}

impl<N: Dim, B: ComplexDouble> ToDyn for Her<N, B> {
    type Dyn = Her<Dyn, B>;
    fn to_dyn(&self) -> Her<Dyn, B> {
        self.clone().into_dyn()
    }
}

impl<X: ToDyn, Y: ToDyn> ToDyn for (X, Y) {
    type Dyn = (X::Dyn, Y::Dyn);
    fn to_dyn(&self) -> Self::Dyn {
        (self.0.to_dyn(), self.1.to_dyn())
    }
}

impl<X: ToDyn, Y: ToDyn, Z: ToDyn> ToDyn for (X, Y, Z) {
    type Dyn = (X::Dyn, Y::Dyn, Z::Dyn);
    fn to_dyn(&self) -> Self::Dyn {
        (self.0.to_dyn(), self.1.to_dyn(), self.2.to_dyn())
    }
}

/// `a` and `b` agree entry by entry to `tol`, relative to `max(|b|, 1)`.
fn close(what: &str, a: &[f64], b: &[f64], tol: f64) -> Result<(), TestCaseError> {
    let worst = a
        .iter()
        .zip(b)
        .map(|(p, q)| (p - q).abs() / q.abs().max(1.0))
        .fold(0.0, f64::max);
    prop_assert!(
        a.len() == b.len() && worst <= tol,
        "static and dynamic {what}s differ by {worst:e}: {a:?} vs {b:?}"
    );
    Ok(())
}

/// Checks one op on the statically sized input `x` (by `fs`) and on the same entries with
/// run-time sizes (by `fd`, the same code on the dynamic types): the dynamic gradient passes
/// the checker ([`grad_ok`]), and the two give the same value and gradient (cotangent all
/// ones) to [`STATIC_DYNAMIC_TOL`]. Write the two closures with [`static_and_dynamic!`](crate::static_and_dynamic),
/// which spells the op once.
pub fn static_and_dynamic<A, OS, OD, FS, FD>(x: &A, fs: FS, fd: FD) -> Result<(), TestCaseError>
where
    A: ToDyn + Backprop + Coords,
    OS: Backprop + Coords,
    OD: Backprop + Coords,
    FS: for<'t> Fn(BVar<'t, A>) -> BVar<'t, OS>,
    FD: for<'t> Fn(BVar<'t, A::Dyn>) -> BVar<'t, OD>,
{
    let d = x.to_dyn();
    grad_ok(&fd, &d)?;
    let (ys, gs) = backprop(&fs, x);
    let (yd, gd) = backprop(&fd, &d);
    close(
        "value",
        &yd.to_coords(),
        &ys.to_coords(),
        STATIC_DYNAMIC_TOL,
    )?;
    close(
        "gradient",
        &gd.to_coords(),
        &gs.to_coords(),
        STATIC_DYNAMIC_TOL,
    )
}

/// Runs [`static_and_dynamic`] on inputs drawn from a strategy of statically sized values, the
/// op written once: `static_and_dynamic!(matrix::<U3, U2, B>(), |a| tr(a))`.
#[macro_export]
macro_rules! static_and_dynamic {
    ($strategy:expr, |$v:ident| $body:expr) => {
        $crate::gradcheck::run($strategy, |x| {
            $crate::dynamic::static_and_dynamic(&x, |$v| $body, |$v| $body)
        })
    };
}

/// A run-time sized matrix from a reference matrix.
pub fn matrix_of<B: Double>(d: &crate::Dense) -> Matrix<B> {
    Matrix::from_row_major_shape(d.rows, d.cols, &d.data)
}

/// A symmetric positive definite matrix of run-time size `n` (`λ ∈ [0.5, 4]`; `n = 0`
/// included).
pub fn dyn_spd<B: Double>(n: usize) -> impl Strategy<Value = Sym<Dyn, B>> {
    (
        proptest::collection::vec(0.5f64..4.0, n),
        crate::generators::orthogonal(n),
    )
        .prop_map(move |(lambda, q)| {
            let a = q.matmul(&crate::Dense::diag(n, n, &lambda)).matmul(&q.t());
            Sym::from_sq(&matrix_of(&a))
        })
}

/// A well-conditioned invertible matrix of run-time size `n` (`U·diag(σ)·Vᵀ`, `σ ∈ [0.5, 2]`).
pub fn dyn_invertible<B: Double>(n: usize) -> impl Strategy<Value = Matrix<B>> {
    (
        proptest::collection::vec(0.5f64..2.0, n),
        crate::generators::orthogonal(n),
        crate::generators::orthogonal(n),
    )
        .prop_map(move |(s, u, v)| {
            matrix_of(&u.matmul(&crate::Dense::diag(n, n, &s)).matmul(&v.t()))
        })
}
