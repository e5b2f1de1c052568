//! Complex numbers: hmatrix's [`to_complex`], [`from_complex`], [`complex`], [`real`], [`imag`],
//! [`sq_magnitude`], [`magnitude`] on vectors, and the complex products [`dot_c`] (`<.>`),
//! [`mul_c`] (`<>`), [`app_c`] (`#>`), [`outer_c`]; and the Hermitian structure of [`Her`]:
//! [`her`], [`un_her`], [`m_hm`].
//!
//! # The convention: conjugate Wirtinger (PyTorch's)
//!
//! Every gradient in this crate is taken of a real loss `ℓ`. The gradient (cotangent) stored for
//! a complex value `z = x + iy` is
//!
//! ```text
//! z̄ = ∂ℓ/∂x + i·∂ℓ/∂y  =  2·∂ℓ/∂z*      (∂/∂z* = (∂/∂x + i·∂/∂y)/2, the conjugate Wirtinger derivative)
//! ```
//!
//! entry by entry for vectors and matrices. So the gradient with respect to a complex value is
//! its gradient with respect to the real coordinates `(Re, Im)` of every entry, packed back into
//! complex numbers: the gradient checker, which perturbs those coordinates, checks it directly;
//! gradient descent is `z ← z − η·z̄`. Equivalently, the rules are adjoints under the real inner
//! product `⟨a, b⟩ = Re Σ conj(aₖ)·bₖ`: for an op `w = f(z)`, `⟨w̄, df⟩ = ⟨z̄, dz⟩`. For a
//! holomorphic `f` this gives `z̄ = conj(f′(z))·w̄`, hence the conjugates and adjoints (`ᴴ`) in
//! the rules below, where the real-valued rules have plain transposes.
//!
//! Real cotangents (of `R` outputs) are ordinary gradients; a complex-valued *output* seeded
//! with `one` (`1 + 0i`) differentiates its real part.

use crate::dim::Dim;
use backprop_backend::{LinalgBackend, Transpose};
use backprop_core::{BVar, Join};
use num_traits::{One, Zero};

use crate::backend::{
    ComplexBackend, ComplexOf, ComplexVector, LinalgError, lit, or_fail, sized, zero,
};
use crate::dense::{Construct, Dense, filled};
use crate::ops::support::linear::Linear;
use crate::ops::support::record::{
    add_matvec, add_outer, add_product, add_scaled, record1, record2,
};
use crate::ops::support::shapes;
use crate::{C, Her, M, R};

use Transpose::{Adjoint, No, Yes};

/// `re + i·im` entry by entry (hmatrix's `toComplex`, with the pair as two arguments).
///
/// Gradient: `r̄ = Re z̄`, `ī = Im z̄`.
///
/// # Panics
/// As [`try_to_complex`].
#[track_caller]
pub fn to_complex<'t, N, B>(re: BVar<'t, R<N, B>>, im: BVar<'t, R<N, B>>) -> BVar<'t, C<N, B>>
where
    N: Dim,
    B: ComplexBackend,
{
    or_fail(try_to_complex(re, im))
}

/// [`to_complex`], returning an error instead of panicking.
///
/// # Errors
/// [`LinalgError::ShapeMismatch`] (op `"to_complex"`) if the parts' lengths differ (possible
/// only for a run-time `N`).
pub fn try_to_complex<'t, N, B>(
    re: BVar<'t, R<N, B>>,
    im: BVar<'t, R<N, B>>,
) -> Result<BVar<'t, C<N, B>>, LinalgError>
where
    N: Dim,
    B: ComplexBackend,
{
    let (n, m) = (re.value().len(), im.value().len());
    shapes::same("to_complex", (n, 1), (m, 1), true)?;
    Ok(parts_to_complex::<N, B>().record((re, im).join()))
}

/// `(re, im) ↦ re + i·im`, with its adjoint `z̄ ↦ (Re z̄, Im z̄)` (under the real inner product
/// of the module documentation).
#[allow(clippy::type_complexity)] // a pair of parts and the complex vector: the map's type
fn parts_to_complex<N: Dim, B: ComplexBackend>() -> Linear<(R<N, B>, R<N, B>), C<N, B>> {
    Linear::new(
        |(re, im): &(R<N, B>, R<N, B>)| C::from_parts(re, im),
        |dz: &C<N, B>| (dz.re(), dz.im()),
    )
}

/// The real and imaginary parts as a pair (hmatrix's `fromComplex`); `.split()` it for two
/// variables.
///
/// Gradient: `z̄ = r̄ + i·ī` (a part that is not used contributes zero).
pub fn from_complex<'t, N, B>(z: BVar<'t, C<N, B>>) -> BVar<'t, (R<N, B>, R<N, B>)>
where
    N: Dim,
    B: ComplexBackend,
{
    parts_to_complex::<N, B>().adjoint().record(z)
}

/// A real vector as a complex one with zero imaginary part (hmatrix's `complex`).
///
/// Gradient: `x̄ = Re z̄`.
pub fn complex<'t, N, B>(x: BVar<'t, R<N, B>>) -> BVar<'t, C<N, B>>
where
    N: Dim,
    B: ComplexBackend,
{
    Linear::new(
        |x: &R<N, B>| C::from_parts(x, &filled(x, zero())),
        |dz: &C<N, B>| dz.re(),
    )
    .record(x)
}

/// The real parts (hmatrix's `real`).
///
/// Gradient: `z̄ = r̄ + 0i`.
pub fn real<'t, N, B>(z: BVar<'t, C<N, B>>) -> BVar<'t, R<N, B>>
where
    N: Dim,
    B: ComplexBackend,
{
    Linear::new(
        |z: &C<N, B>| z.re(),
        |dr: &R<N, B>| C::from_parts(dr, &filled(dr, zero())),
    )
    .record(z)
}

/// The imaginary parts (hmatrix's `imag`).
///
/// Gradient: `z̄ = 0 + i·ī`.
pub fn imag<'t, N, B>(z: BVar<'t, C<N, B>>) -> BVar<'t, R<N, B>>
where
    N: Dim,
    B: ComplexBackend,
{
    Linear::new(
        |z: &C<N, B>| z.im(),
        |di: &R<N, B>| C::from_parts(&filled(di, zero()), di),
    )
    .record(z)
}

/// The squared moduli `|zₖ|² = xₖ² + yₖ²` (hmatrix's `sqMagnitude`).
///
/// Gradient: `z̄ₖ = 2·ȳₖ·zₖ`.
pub fn sq_magnitude<'t, N, B>(z: BVar<'t, C<N, B>>) -> BVar<'t, R<N, B>>
where
    N: Dim,
    B: ComplexBackend,
{
    let zv = z.value();
    let s = R::build(zv.len(), |k| zv.get(k).norm_sqr());
    record1(z, s, |ctx, iz, _, ds| {
        let z = ctx.value(iz);
        ctx.add(
            iz,
            C::build(z.len(), |k| z.get(k) * (lit::<B>(2.0) * ds.get(k))),
        );
    })
}

/// The moduli `|zₖ|` (hmatrix's `magnitude`), computed without overflow (`hypot`).
///
/// Gradient: `z̄ₖ = ȳₖ·zₖ/|zₖ|`.
///
/// # Numerical behaviour
/// `|z|` is not differentiable at `z = 0`; there the gradient entry is `0`, the subgradient of
/// least modulus (every `c` with `|c| ≤ ȳ` is one). It is never NaN (hmatrix-backprop, through
/// `√(sqMagnitude)`, gives NaN there).
pub fn magnitude<'t, N, B>(z: BVar<'t, C<N, B>>) -> BVar<'t, R<N, B>>
where
    N: Dim,
    B: ComplexBackend,
{
    let zv = z.value();
    let m = R::build(zv.len(), |k| zv.get(k).norm());
    record1(z, m, |ctx, iz, m, dm| {
        let z = ctx.value(iz);
        ctx.add(
            iz,
            C::build(z.len(), |k| {
                let mk = m.get(k);
                if mk == zero::<B::Real>() {
                    <ComplexOf<B> as Zero>::zero()
                } else {
                    z.get(k) * dm.get(k) / mk
                }
            }),
        );
    })
}

/// The complex dot product `s = Σ conj(xₖ)·yₖ` (hmatrix's `<.>`: the first argument is
/// conjugated).
///
/// Gradient: `x̄ = conj(s̄)·y`, `ȳ = s̄·x`. (`s` is antilinear in `x`, hence the conjugate on
/// `s̄`; hmatrix-backprop uses `s̄·y`, which is wrong for complex values.)
///
/// # Panics
/// As [`try_dot_c`].
#[track_caller]
pub fn dot_c<'t, N, B>(x: BVar<'t, C<N, B>>, y: BVar<'t, C<N, B>>) -> BVar<'t, ComplexOf<B>>
where
    N: Dim,
    B: ComplexBackend,
{
    or_fail(try_dot_c(x, y))
}

/// [`dot_c`], returning an error instead of panicking.
///
/// # Errors
/// [`LinalgError::ShapeMismatch`] (op `"dot_c"`) if the lengths differ (possible only for a
/// run-time `N`).
pub fn try_dot_c<'t, N, B>(
    x: BVar<'t, C<N, B>>,
    y: BVar<'t, C<N, B>>,
) -> Result<BVar<'t, ComplexOf<B>>, LinalgError>
where
    N: Dim,
    B: ComplexBackend,
{
    let s = <B as LinalgBackend<ComplexOf<B>>>::vec_dot(x.value().data(), y.value().data())
        .map_err(|e| e.with_op("dot_c"))?;
    Ok(record2(x, y, s, |ctx, ix, iy, _, ds| {
        let (x, y) = (ctx.value(ix), ctx.value(iy));
        add_scaled(ctx, ix, ds.conj(), y);
        add_scaled(ctx, iy, ds, x);
    }))
}

/// The complex matrix product `P = A·B` (hmatrix's `<>`).
///
/// Gradient: `Ā = P̄·Bᴴ`, `B̄ = Aᴴ·P̄`.
///
/// # Panics
/// As [`try_mul_c`].
#[track_caller]
pub fn mul_c<'t, Rows, K, Cols, B>(
    a: BVar<'t, M<Rows, K, B>>,
    b: BVar<'t, M<K, Cols, B>>,
) -> BVar<'t, M<Rows, Cols, B>>
where
    Rows: Dim,
    K: Dim,
    Cols: Dim,
    B: ComplexBackend,
{
    or_fail(try_mul_c(a, b))
}

/// [`mul_c`], returning an error instead of panicking.
///
/// # Errors
/// [`LinalgError::ShapeMismatch`] (op `"mul_c"`) if the inner sizes differ (possible only for
/// a run-time `K`).
pub fn try_mul_c<'t, Rows, K, Cols, B>(
    a: BVar<'t, M<Rows, K, B>>,
    b: BVar<'t, M<K, Cols, B>>,
) -> Result<BVar<'t, M<Rows, Cols, B>>, LinalgError>
where
    Rows: Dim,
    K: Dim,
    Cols: Dim,
    B: ComplexBackend,
{
    let p = M::wrap(
        <B as LinalgBackend<ComplexOf<B>>>::matmul(a.value().data(), No, b.value().data(), No)
            .map_err(|e| e.with_op("mul_c"))?,
    );
    Ok(record2(a, b, p, |ctx, ia, ib, _, dp| {
        let (a, b) = (ctx.value(ia), ctx.value(ib));
        if ctx.wants(ia) {
            add_product(ctx, ia, dp.data(), No, b.data(), Adjoint);
        }
        if ctx.wants(ib) {
            add_product(ctx, ib, a.data(), Adjoint, dp.data(), No);
        }
    }))
}

/// The complex matrix-vector product `y = A·x` (hmatrix's `#>`).
///
/// Gradient: `Ā = ȳ·xᴴ`, `x̄ = Aᴴ·ȳ`.
///
/// # Panics
/// As [`try_app_c`].
#[track_caller]
pub fn app_c<'t, Rows, Cols, B>(
    a: BVar<'t, M<Rows, Cols, B>>,
    x: BVar<'t, C<Cols, B>>,
) -> BVar<'t, C<Rows, B>>
where
    Rows: Dim,
    Cols: Dim,
    B: ComplexBackend,
{
    or_fail(try_app_c(a, x))
}

/// [`app_c`], returning an error instead of panicking.
///
/// # Errors
/// [`LinalgError::ShapeMismatch`] (op `"app_c"`) if `x`'s length is not `A`'s number of
/// columns (possible only for a run-time `Cols`).
pub fn try_app_c<'t, Rows, Cols, B>(
    a: BVar<'t, M<Rows, Cols, B>>,
    x: BVar<'t, C<Cols, B>>,
) -> Result<BVar<'t, C<Rows, B>>, LinalgError>
where
    Rows: Dim,
    Cols: Dim,
    B: ComplexBackend,
{
    let y = C::wrap(
        <B as LinalgBackend<ComplexOf<B>>>::matvec(a.value().data(), No, x.value().data())
            .map_err(|e| e.with_op("app_c"))?,
    );
    Ok(record2(a, x, y, |ctx, ia, ix, _, dy| {
        let (a, x) = (ctx.value(ia), ctx.value(ix));
        if ctx.wants(ia) {
            add_outer(
                ctx,
                ia,
                <ComplexOf<B> as One>::one(),
                dy.data(),
                &conj::<B>(x.data()),
            );
        }
        if ctx.wants(ix) {
            add_matvec(ctx, ix, a.data(), Adjoint, dy.data());
        }
    }))
}

/// The outer product `A = x·yᵀ`, conjugating nothing (as hmatrix's `outer`).
///
/// Gradient: `x̄ = Ā·conj(y)`, `ȳ = Āᵀ·conj(x)`.
pub fn outer_c<'t, Rows, Cols, B>(
    x: BVar<'t, C<Rows, B>>,
    y: BVar<'t, C<Cols, B>>,
) -> BVar<'t, M<Rows, Cols, B>>
where
    Rows: Dim,
    Cols: Dim,
    B: ComplexBackend,
{
    let a = M::wrap(<B as LinalgBackend<ComplexOf<B>>>::outer(
        x.value().data(),
        y.value().data(),
    ));
    record2(x, y, a, |ctx, ix, iy, _, da| {
        let (x, y) = (ctx.value(ix), ctx.value(iy));
        if ctx.wants(ix) {
            add_matvec(ctx, ix, da.data(), No, &conj::<B>(y.data()));
        }
        if ctx.wants(iy) {
            add_matvec(ctx, iy, da.data(), Yes, &conj::<B>(x.data()));
        }
    })
}

/// The Hermitian part `herm(A) = (A + Aᴴ)/2` (hmatrix's `her`).
///
/// Gradient: `Ā = herm(Ȳ)`; a `Her` cotangent is already Hermitian, so `Ā = Ȳ`.
///
/// # Panics
/// As [`try_her`].
#[track_caller]
pub fn her<'t, N, B>(a: BVar<'t, M<N, N, B>>) -> BVar<'t, Her<N, B>>
where
    N: Dim,
    B: ComplexBackend,
{
    or_fail(try_her(a))
}

/// [`her`], returning an error instead of panicking.
///
/// # Errors
/// [`LinalgError::ShapeMismatch`] (op `"her"`) if `A` is not square (possible only for a
/// run-time `N`).
pub fn try_her<'t, N, B>(a: BVar<'t, M<N, N, B>>) -> Result<BVar<'t, Her<N, B>>, LinalgError>
where
    N: Dim,
    B: ComplexBackend,
{
    Her::try_from_m(a.value()).map_err(|e| e.with_op("her"))?;
    Ok(hermitian_part::<N, B>().record(a))
}

/// `A ↦ herm(A)`, whose adjoint is the embedding `H ↦ H` of a Hermitian matrix (and the other
/// way round for [`un_her`]).
fn hermitian_part<N: Dim, B: ComplexBackend>() -> Linear<M<N, N, B>, Her<N, B>> {
    Linear::new(|a: &M<N, N, B>| Her::from_m(a), |dh: &Her<N, B>| dh.to_m())
}

/// A Hermitian matrix as an unconstrained square complex one (the complex `unSym`).
///
/// Gradient: `Ā = herm(Ȳ) = (Ȳ + Ȳᴴ)/2`. The cotangent of the square result need not be
/// Hermitian; its Hermitian part is the gradient with respect to the Hermitian input.
pub fn un_her<'t, N, B>(a: BVar<'t, Her<N, B>>) -> BVar<'t, M<N, N, B>>
where
    N: Dim,
    B: ComplexBackend,
{
    hermitian_part::<N, B>().adjoint().record(a)
}

/// `Xᴴ·X`, Hermitian by construction (the complex `mTm`).
///
/// Gradient: `X̄ = X·(D + Dᴴ)` for the cotangent `D`, which is Hermitian (a `Her` cotangent), so
/// `X̄ = 2·X·D`. (From `dY = dXᴴ·X + Xᴴ·dX`: `⟨D, dXᴴ·X⟩ = ⟨X·Dᴴ, dX⟩` and
/// `⟨D, Xᴴ·dX⟩ = ⟨X·D, dX⟩` under the real inner product `⟨a, b⟩ = Re tr(aᴴ·b)`.)
pub fn m_hm<'t, Rows, N, B>(x: BVar<'t, M<Rows, N, B>>) -> BVar<'t, Her<N, B>>
where
    Rows: Dim,
    N: Dim,
    B: ComplexBackend,
{
    let xv = x.value().data();
    let h = Her::from_m(&M::wrap(sized(<B as LinalgBackend<ComplexOf<B>>>::matmul(
        xv, Adjoint, xv, No,
    ))));
    record1(x, h, |ctx, ix, _, d: Her<N, B>| {
        let x = ctx.value(ix);
        let d2 = <B as LinalgBackend<ComplexOf<B>>>::mat_scale(
            d.data(),
            ComplexOf::<B>::from(lit::<B>(2.0)),
        );
        add_product(ctx, ix, x.data(), No, &d2, No);
    })
}

// ----- accumulation helpers: the complex forms of those in `record.rs` -----

/// The entry-wise conjugate of a complex vector.
fn conj<B: ComplexBackend>(x: &ComplexVector<B>) -> ComplexVector<B> {
    <B as LinalgBackend<ComplexOf<B>>>::vec_map(x, |v| v.conj())
}
