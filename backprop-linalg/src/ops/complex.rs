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
use backprop_core::{BVar, Join, Pull, Val, VarId};

use crate::backend::{ComplexBackend, ComplexOf, LinalgError, lit, or_fail, sized, zero};
use crate::dense::{Construct, Dense, filled};
use crate::ops::support::linear::Linear;
use crate::ops::support::record::{
    add_scaled, matvec, pull_matvec, pull_outer, pull_product, rule1, rule2,
};
use crate::ops::support::shapes;
use crate::{C, Her, M, R};

use Transpose::{Adjoint, No};

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
    rule1(z, s, |cx, iz, _, ds| {
        if cx.wants(iz) {
            let z = cx.value(iz);
            let two_ds = ds.clone() + ds;
            cx.add(iz, scaled_parts(&two_ds, &z));
        }
    })
}

/// The moduli `|zₖ|` (hmatrix's `magnitude`), computed without overflow (`hypot`).
///
/// Gradient: `z̄ₖ = ȳₖ·zₖ/|zₖ|`.
///
/// # Numerical behaviour
/// `|z|` is not differentiable at `z = 0`; there the gradient entry is `0`, the subgradient of
/// least modulus (every `c` with `|c| ≤ ȳ` is one). It is never NaN (hmatrix-backprop, through
/// `√(sqMagnitude)`, gives NaN there). The second derivative there is `0` too.
pub fn magnitude<'t, N, B>(z: BVar<'t, C<N, B>>) -> BVar<'t, R<N, B>>
where
    N: Dim,
    B: ComplexBackend,
{
    let zv = z.value();
    let m = R::build(zv.len(), |k| zv.get(k).norm());
    rule1(z, m, |cx, iz, m, dm| {
        if cx.wants(iz) {
            let z = cx.value(iz);
            let q = dm * recip_or_zero(m);
            cx.add(iz, scaled_parts(&q, &z));
        }
    })
}

/// `1/xₖ` entry by entry, `0` where `xₖ = 0`, as a quantity of a rule (recorded with the rule
/// `x̄ = −ȳ·y²` for its output `y`, which is `0` where `x` is).
fn recip_or_zero<'v, N: Dim, B: ComplexBackend>(x: Val<'v, R<N, B>>) -> Val<'v, R<N, B>> {
    let recip = |x: &R<N, B>| {
        R::build(x.len(), |k| {
            let v = x.get(k);
            if v == zero::<B::Real>() {
                v
            } else {
                lit::<B>(1.0) / v
            }
        })
    };
    x.map(
        |x| recip(&x),
        |x| {
            rule1(x, recip(x.value()), |cx, ix, y, dy| {
                let y2 = y.clone() * y;
                cx.add(ix, -(dy * y2));
            })
        },
    )
}

/// `r ∘ z`: a real vector times a complex one entry by entry, as a quantity of a rule.
fn scaled_parts<'v, N: Dim, B: ComplexBackend>(
    r: &Val<'v, R<N, B>>,
    z: &Val<'v, C<N, B>>,
) -> Val<'v, C<N, B>> {
    match r.tape().or(z.tape()) {
        Some(tape) => Val::Var(scale_parts(r.to_var(tape), z.to_var(tape))),
        None => Val::Own(times_parts(r.get(), z.get())),
    }
}

fn times_parts<N: Dim, B: ComplexBackend>(r: &R<N, B>, z: &C<N, B>) -> C<N, B> {
    C::build(z.len(), |k| z.get(k) * r.get(k))
}

/// `w = r ∘ z`, recorded. Gradient: `r̄ = Re(conj(z) ∘ w̄)`, `z̄ = r ∘ w̄`.
fn scale_parts<'t, N: Dim, B: ComplexBackend>(
    r: BVar<'t, R<N, B>>,
    z: BVar<'t, C<N, B>>,
) -> BVar<'t, C<N, B>> {
    let w = times_parts(r.value(), z.value());
    rule2(r, z, w, |cx, ir, iz, _, dw| {
        let (r, z) = (cx.value(ir), cx.value(iz));
        if cx.wants(ir) {
            cx.add(ir, re_inner_of(&z, &dw));
        }
        if cx.wants(iz) {
            cx.add(iz, scaled_parts(&r, &dw));
        }
    })
}

/// `Re(conj(a) ∘ b)` entry by entry, as a quantity of a rule.
fn re_inner_of<'v, N: Dim, B: ComplexBackend>(
    a: &Val<'v, C<N, B>>,
    b: &Val<'v, C<N, B>>,
) -> Val<'v, R<N, B>> {
    match a.tape().or(b.tape()) {
        Some(tape) => Val::Var(re_inner(a.to_var(tape), b.to_var(tape))),
        None => Val::Own(re_inner_value(a.get(), b.get())),
    }
}

fn re_inner_value<N: Dim, B: ComplexBackend>(a: &C<N, B>, b: &C<N, B>) -> R<N, B> {
    R::build(a.len(), |k| (a.get(k).conj() * b.get(k)).re)
}

/// `r = Re(conj(a) ∘ b)`, recorded. Gradient: `ā = r̄ ∘ b`, `b̄ = r̄ ∘ a`.
fn re_inner<'t, N: Dim, B: ComplexBackend>(
    a: BVar<'t, C<N, B>>,
    b: BVar<'t, C<N, B>>,
) -> BVar<'t, R<N, B>> {
    let r = re_inner_value(a.value(), b.value());
    rule2(a, b, r, |cx, ia, ib, _, dr| {
        let (a, b) = (cx.value(ia), cx.value(ib));
        if cx.wants(ia) {
            cx.add(ia, scaled_parts(&dr, &b));
        }
        if cx.wants(ib) {
            cx.add(ib, scaled_parts(&dr, &a));
        }
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
    Ok(record_dot_c(x, y, s))
}

/// Records `s = xᴴ·y` with its rule.
fn record_dot_c<'t, N: Dim, B: ComplexBackend>(
    x: BVar<'t, C<N, B>>,
    y: BVar<'t, C<N, B>>,
    s: ComplexOf<B>,
) -> BVar<'t, ComplexOf<B>> {
    rule2(x, y, s, |cx, ix, iy, _, ds| {
        let (x, y) = (cx.value(ix), cx.value(iy));
        pull_scale_c(cx, ix, &ds.clone().conj(), &y);
        pull_scale_c(cx, iy, &ds, &x);
    })
}

/// Adds `s·x` to the gradient of `id` for a complex scalar quantity `s` (in place in a
/// first-order pass, recorded otherwise).
fn pull_scale_c<'v, N: Dim, B: ComplexBackend>(
    cx: &mut Pull<'_, 'v>,
    id: VarId<C<N, B>>,
    s: &Val<'v, ComplexOf<B>>,
    x: &Val<'v, C<N, B>>,
) {
    if let Some(ctx) = cx.first_order() {
        return add_scaled(ctx, id, *s.get(), x.get());
    }
    if let Some(tape) = cx.tape().filter(|_| cx.wants(id)) {
        cx.add(id, Val::Var(scale_c(s.to_var(tape), x.to_var(tape))));
    }
}

/// `y = s·x` for a complex scalar, recorded. Gradient: `s̄ = xᴴ·ȳ`, `x̄ = conj(s)·ȳ`.
fn scale_c<'t, N: Dim, B: ComplexBackend>(
    s: BVar<'t, ComplexOf<B>>,
    x: BVar<'t, C<N, B>>,
) -> BVar<'t, C<N, B>> {
    let sv = *s.value();
    let y = C::build(x.value().len(), |k| sv * x.value().get(k));
    rule2(s, x, y, |cx, is, ix, _, dy| {
        let (s, x) = (cx.value(is), cx.value(ix));
        if cx.wants(is) {
            let inner = match x.tape().or(dy.tape()) {
                Some(tape) => Val::Var(dot_c(x.to_var(tape), dy.to_var(tape))),
                None => Val::Own(sized(<B as LinalgBackend<ComplexOf<B>>>::vec_dot(
                    x.get().data(),
                    dy.get().data(),
                ))),
            };
            cx.add(is, inner);
        }
        pull_scale_c(cx, ix, &s.conj(), &dy);
    })
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
    Ok(rule2(a, b, p, |cx, ia, ib, _, dp| {
        let (a, b) = (cx.value(ia), cx.value(ib));
        pull_product(cx, ia, &dp, No, &b, Adjoint);
        pull_product(cx, ib, &a, Adjoint, &dp, No);
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
    Ok(rule2(a, x, y, |cx, ia, ix, _, dy| {
        let (a, x) = (cx.value(ia), cx.value(ix));
        pull_outer(cx, ia, &dy, &x);
        pull_matvec(cx, ix, &a, Adjoint, &dy);
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
    rule2(x, y, a, |cx, ix, iy, _, da| {
        let (x, y) = (cx.value(ix), cx.value(iy));
        pull_matvec(cx, ix, &da, No, &y.conj());
        if cx.wants(iy) {
            let dy: Val<'_, C<Cols, B>> = matvec(&da, Adjoint, &x);
            cx.add(iy, dy.conj());
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
    rule1(x, h, |cx, ix, _, d| {
        let x = cx.value(ix);
        let d2: Val<'_, M<N, N, B>> = d.map(
            |d| {
                let two = ComplexOf::<B>::from(lit::<B>(2.0));
                M::wrap(<B as LinalgBackend<ComplexOf<B>>>::mat_scale(d.data(), two))
            },
            |d| {
                let d = un_her(d);
                d + d
            },
        );
        pull_product(cx, ix, &x, No, &d2, No);
    })
}
