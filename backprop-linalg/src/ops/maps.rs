//! Mappers and zippers: a scalar function applied to every entry of a vector or matrix, or to
//! corresponding entries of two vectors. Each comes in three forms, as in hmatrix-backprop:
//!
//! | form | function | recorded on the outer tape | derivatives |
//! |---|---|---|---|
//! | [`vmap`], [`mmap`], [`zip_with_vector`] | any closure over the outer tape's scalars; it may capture outer variables | the closure's own nodes, per entry | by the outer backward pass |
//! | [`vmap_`], [`mmap_`], [`zip_with_vector_`] | a closed `for<'s>` closure | one node | in the forward pass, each entry on its own tape ([`backprop`]) |
//! | [`dvmap`], [`dmmap`], [`dzip_with_vector`] | a closed, `'static` `for<'s>` closure | one node | in the backward pass ([`grad_bp`]), only if a gradient is needed |
//!
//! The closed forms record one node however long the vector is; the first form is the one to
//! use when the function depends on other variables (a learned scale, say). When nothing needs
//! a gradient, the closed forms only evaluate the function ([`eval_bp`]).

use crate::dim::Dim;
use std::rc::Rc;

use backprop_core::{
    BVar, Backprop, Floating, Val, backprop, backprop2, eval_bp, eval_bp2, grad_bp, grad_bp2, hvp,
};

use crate::backend::{Backend, LinalgError, RealOf, lit, or_fail};
use crate::dense::{Dense, StorageKind, entries, map, zip_map};
use crate::ops::support::place::{from_scalars, scalars};
use crate::ops::support::record::{rule1, rule2};
use crate::{L, R};

/// `f` on every entry of `x`, on the outer tape.
fn map_outer<'t, B, T>(
    f: impl FnMut(BVar<'t, B::Real>) -> BVar<'t, B::Real>,
    x: BVar<'t, T>,
) -> BVar<'t, T>
where
    B: Backend,
    T: Dense<B, B::Real> + Backprop,
{
    let ys: Vec<_> = scalars::<B, T>(x).into_iter().map(f).collect();
    from_scalars(x.tape(), &ys, x.value())
}

/// A value shaped like `like` with entry `k` from `f(k)`.
fn shaped<B: Backend, T: Dense<B, B::Real>>(like: &T, f: impl FnMut(usize) -> B::Real) -> T {
    T::wrap(T::Kind::from_fn_like(like.data(), f))
}

/// A derivative of a closed function, entry by entry: `x ↦ f'∘x` (or a pair of partials).
type Derivative<X, D> = Rc<dyn Fn(&X) -> D>;

/// The message when a closed map's function is differentiated past what is known of it.
#[track_caller]
fn past_second_order(op: &'static str) -> ! {
    panic!("{op}: the derivatives of a closed map's function are computed to the second order only")
}

/// Records `value = f∘x` (entry-wise), whose rule is `x̄ = ȳ ∘ f'(x)` with `f'(x)` from
/// `first`. On a variable (a recorded backward pass) `f'(x)` is itself recorded this way, with
/// `second` (`f''`) as its derivative: so the op is differentiable to the second order.
fn record_entrywise<'t, B, T>(
    op: &'static str,
    x: BVar<'t, T>,
    value: T,
    first: Derivative<T, T>,
    second: Option<Derivative<T, T>>,
) -> BVar<'t, T>
where
    B: Backend,
    T: Dense<B, B::Real> + Floating,
{
    rule1(x, value, move |cx, ix, _, dy| {
        if !cx.wants(ix) {
            return;
        }
        let d = cx.value(ix).map(
            |x| first(&x),
            |x| {
                let second = second.clone().unwrap_or_else(|| past_second_order(op));
                let value = first(x.value());
                record_entrywise::<B, T>(op, x, value, second, None)
            },
        );
        cx.add(ix, dy * d);
    })
}

/// `f` on every entry, each differentiated on its own tape in the forward pass (with its
/// second derivative too on a tape whose backward pass will be recorded).
fn map_isolated<'t, B, T, F>(op: &'static str, f: F, x: BVar<'t, T>) -> BVar<'t, T>
where
    B: Backend,
    T: Dense<B, B::Real> + Floating,
    F: for<'s> Fn(BVar<'s, B::Real>) -> BVar<'s, B::Real>,
{
    let xv = x.value();
    if !x.requires_grad() {
        return x.tape().constant(map::<B, T>(xv, |v| eval_bp(&f, &v)));
    }
    let one = lit::<B>(1.0);
    let entries = entries::<B, T>(xv);
    let (value, first, second) = if x.tape().second_order() {
        let d: Vec<_> = entries.iter().map(|v| hvp(&f, v, &one)).collect();
        let second = shaped(xv, |k| d[k].2);
        (shaped(xv, |k| d[k].0), shaped(xv, |k| d[k].1), Some(second))
    } else {
        let d: Vec<_> = entries.iter().map(|v| backprop(&f, v)).collect();
        (shaped(xv, |k| d[k].0), shaped(xv, |k| d[k].1), None)
    };
    record_entrywise::<B, T>(
        op,
        x,
        value,
        Rc::new(move |_| first.clone()),
        second.map(|second| Rc::new(move |_: &T| second.clone()) as Derivative<T, T>),
    )
}

/// `f` on every entry, differentiated (entry by entry) only in the backward pass, to the
/// second order when that pass is recorded.
fn map_deferred<'t, B, T, F>(op: &'static str, f: F, x: BVar<'t, T>) -> BVar<'t, T>
where
    B: Backend,
    T: Dense<B, B::Real> + Floating,
    F: for<'s> Fn(BVar<'s, B::Real>) -> BVar<'s, B::Real> + 'static,
{
    let value = map::<B, T>(x.value(), |v| eval_bp(&f, &v));
    let f = Rc::new(f);
    let g = Rc::clone(&f);
    let one = lit::<B>(1.0);
    record_entrywise::<B, T>(
        op,
        x,
        value,
        Rc::new(move |x| map::<B, T>(x, |v| grad_bp(&*f, &v))),
        Some(Rc::new(move |x| map::<B, T>(x, |v| hvp(&*g, &v, &one).2))),
    )
}

/// `f` on every entry of `x` (hmatrix-backprop's `vmap`). `f` runs on the outer tape, once per
/// entry, so it may use other variables of that tape (captured by the closure).
///
/// Gradient: `x̄ᵢ = ȳᵢ·f'(xᵢ)`, plus whatever `f` sends to the variables it captured.
///
/// ```
/// use backprop_linalg::{grad_bp2, sum_elements, vmap, R, typenum::U2};
/// // Σ a·xᵢ²: ∂/∂x = 2a·x, ∂/∂a = Σ xᵢ²
/// let x: R<U2> = R::from_slice(&[1.0, 2.0]);
/// let (gx, ga) = grad_bp2(|x, a| sum_elements(vmap(|e| e * e * a, x)), &x, &3.0);
/// assert_eq!((gx.to_vec(), ga), (vec![6.0, 12.0], 5.0));
/// ```
pub fn vmap<'t, N, B>(
    f: impl FnMut(BVar<'t, B::Real>) -> BVar<'t, B::Real>,
    x: BVar<'t, R<N, B>>,
) -> BVar<'t, R<N, B>>
where
    N: Dim,
    B: Backend,
{
    map_outer(f, x)
}

/// `f` on every entry of `x`, recorded as one node (hmatrix-backprop's `vmap'`). `f` is closed
/// (`for<'s>`: it cannot capture variables of the outer tape); each entry is differentiated on
/// its own tape with [`backprop`] during the forward pass.
///
/// Gradient: `x̄ = ȳ ∘ f'(x)`.
///
/// ```
/// use backprop_linalg::{grad_bp, sum_elements, vmap_, R, typenum::U2};
/// let x: R<U2> = R::from_slice(&[0.0, 1.0]);
/// let g = grad_bp(|x| sum_elements(vmap_(|e| e * e, x)), &x);
/// assert_eq!(g.to_vec(), vec![0.0, 2.0]);
/// ```
pub fn vmap_<'t, N, B, F>(f: F, x: BVar<'t, R<N, B>>) -> BVar<'t, R<N, B>>
where
    N: Dim,
    B: Backend,
    F: for<'s> Fn(BVar<'s, B::Real>) -> BVar<'s, B::Real>,
{
    map_isolated("vmap_", f, x)
}

/// `f` on every entry of `x`, recorded as one node (hmatrix-backprop's `dvmap`): the forward
/// pass only evaluates `f`; the backward pass differentiates it entry by entry with
/// [`grad_bp`], so `f` is kept until then (`'static`).
///
/// Gradient: `x̄ = ȳ ∘ f'(x)`.
pub fn dvmap<'t, N, B, F>(f: F, x: BVar<'t, R<N, B>>) -> BVar<'t, R<N, B>>
where
    N: Dim,
    B: Backend,
    F: for<'s> Fn(BVar<'s, B::Real>) -> BVar<'s, B::Real> + 'static,
{
    map_deferred("dvmap", f, x)
}

/// `f` on every entry of the matrix `a`, on the outer tape (hmatrix-backprop's `mmap`; see
/// [`vmap`]).
///
/// Gradient: `Āᵢⱼ = Ȳᵢⱼ·f'(Aᵢⱼ)`, plus whatever `f` sends to the variables it captured.
pub fn mmap<'t, M, N, B>(
    f: impl FnMut(BVar<'t, B::Real>) -> BVar<'t, B::Real>,
    a: BVar<'t, L<M, N, B>>,
) -> BVar<'t, L<M, N, B>>
where
    M: Dim,
    N: Dim,
    B: Backend,
{
    map_outer(f, a)
}

/// `f` on every entry of the matrix `a`, recorded as one node (hmatrix-backprop's `mmap'`; see
/// [`vmap_`]).
///
/// Gradient: `Ā = Ȳ ∘ f'(A)`.
pub fn mmap_<'t, M, N, B, F>(f: F, a: BVar<'t, L<M, N, B>>) -> BVar<'t, L<M, N, B>>
where
    M: Dim,
    N: Dim,
    B: Backend,
    F: for<'s> Fn(BVar<'s, B::Real>) -> BVar<'s, B::Real>,
{
    map_isolated("mmap_", f, a)
}

/// `f` on every entry of the matrix `a`, differentiated in the backward pass
/// (hmatrix-backprop's `dmmap`; see [`dvmap`]).
///
/// Gradient: `Ā = Ȳ ∘ f'(A)`.
pub fn dmmap<'t, M, N, B, F>(f: F, a: BVar<'t, L<M, N, B>>) -> BVar<'t, L<M, N, B>>
where
    M: Dim,
    N: Dim,
    B: Backend,
    F: for<'s> Fn(BVar<'s, B::Real>) -> BVar<'s, B::Real> + 'static,
{
    map_deferred("dmmap", f, a)
}

/// `Ok` if `x` and `y` have the same length.
fn same_len<N: Dim, B: Backend>(
    op: &'static str,
    x: &BVar<'_, R<N, B>>,
    y: &BVar<'_, R<N, B>>,
) -> Result<(), LinalgError> {
    let (n, m) = (x.value().len(), y.value().len());
    crate::ops::support::shapes::same(op, (n, 1), (m, 1), true)
}

/// The partial derivatives `(∂₁f, ∂₂f)` of a closed function of two arguments at the entries
/// of two vectors.
type Partials<N, B> = Rc<dyn Fn(&R<N, B>, &R<N, B>) -> (R<N, B>, R<N, B>)>;

/// Records `zᵢ = f(xᵢ, yᵢ)`, whose rule is `x̄ = z̄ ∘ ∂₁f`, `ȳ = z̄ ∘ ∂₂f` with the partials from
/// `first`. On variables the partials are themselves recorded this way, with `second` (the
/// partials of `∂₁f` and of `∂₂f`) as theirs: so the op is differentiable to the second order.
fn record_zip<'t, N, B>(
    op: &'static str,
    x: BVar<'t, R<N, B>>,
    y: BVar<'t, R<N, B>>,
    value: R<N, B>,
    first: Partials<N, B>,
    second: Option<(Partials<N, B>, Partials<N, B>)>,
) -> BVar<'t, R<N, B>>
where
    N: Dim,
    B: Backend,
{
    rule2(x, y, value, move |cx, ix, iy, _, dz| {
        if !(cx.wants(ix) || cx.wants(iy)) {
            return;
        }
        let (x, y) = (cx.value(ix), cx.value(iy));
        let (px, py) = match x.tape().or(y.tape()) {
            None => {
                let (px, py) = first(x.get(), y.get());
                (Val::Own(px), Val::Own(py))
            }
            Some(tape) => {
                let (dx, dy) = second.clone().unwrap_or_else(|| past_second_order(op));
                let (x, y) = (x.to_var(tape), y.to_var(tape));
                let (px, py) = first(x.value(), y.value());
                (
                    Val::Var(record_zip(op, x, y, px, dx, None)),
                    Val::Var(record_zip(op, x, y, py, dy, None)),
                )
            }
        };
        cx.add(ix, dz.clone() * px);
        cx.add(iy, dz * py);
    })
}

/// `f(a, b)` with its gradient `(∂₁f, ∂₂f)` and its Hessian `((∂₁₁f, ∂₁₂f), (∂₂₁f, ∂₂₂f))`.
#[allow(clippy::type_complexity)] // a value, a gradient and a Hessian of two arguments
fn hessian2<S, F>(f: &F, a: S, b: S) -> (S, (S, S), ((S, S), (S, S)))
where
    S: backprop_core::Floating + num_traits::Float + Backprop,
    F: for<'s> Fn(BVar<'s, S>, BVar<'s, S>) -> BVar<'s, S>,
{
    let (zero, one) = (
        <S as num_traits::Zero>::zero(),
        <S as num_traits::One>::one(),
    );
    let along = |v| {
        hvp(
            |p| {
                let (a, b) = p.split();
                f(a, b)
            },
            &(a, b),
            &v,
        )
    };
    let (z, gradient, along_a) = along((one, zero));
    let (_, _, along_b) = along((zero, one));
    (z, gradient, (along_a, along_b))
}

/// The second partials `(∂₁₁f, ∂₁₂f, ∂₂₂f)` of `f` at the entries of `x` and `y`.
fn second_partials<N, B, F>(f: &F, x: &R<N, B>, y: &R<N, B>) -> (R<N, B>, R<N, B>, R<N, B>)
where
    N: Dim,
    B: Backend,
    F: for<'s> Fn(BVar<'s, B::Real>, BVar<'s, B::Real>) -> BVar<'s, B::Real>,
{
    let hessians: Vec<_> = x
        .to_vec()
        .into_iter()
        .zip(y.to_vec())
        .map(|(a, b)| hessian2(f, a, b).2)
        .collect();
    let n = hessians.len();
    (
        R::build(n, |i| hessians[i].0.0),
        R::build(n, |i| hessians[i].1.0),
        R::build(n, |i| hessians[i].1.1),
    )
}

/// Second partials as [`record_zip`] takes them: the partials of `∂₁f`, `(∂₁₁f, ∂₁₂f)`, and of
/// `∂₂f`, `(∂₁₂f, ∂₂₂f)` (the Hessian is symmetric).
fn of_first_partials<N: Dim, B: Backend>(
    (f11, f12, f22): (R<N, B>, R<N, B>, R<N, B>),
) -> (Partials<N, B>, Partials<N, B>) {
    let f21 = f12.clone();
    (
        Rc::new(move |_, _| (f11.clone(), f12.clone())),
        Rc::new(move |_, _| (f21.clone(), f22.clone())),
    )
}

/// `f` on corresponding entries of `x` and `y` (hmatrix-backprop's `zipWithVector`), on the
/// outer tape: `f` may use other variables of that tape.
///
/// Gradient: `x̄ᵢ = z̄ᵢ·∂₁f(xᵢ, yᵢ)`, `ȳᵢ = z̄ᵢ·∂₂f(xᵢ, yᵢ)`, plus whatever `f` sends to the
/// variables it captured.
///
/// # Panics
/// As [`try_zip_with_vector`].
#[track_caller]
pub fn zip_with_vector<'t, N, B>(
    f: impl FnMut(BVar<'t, B::Real>, BVar<'t, B::Real>) -> BVar<'t, B::Real>,
    x: BVar<'t, R<N, B>>,
    y: BVar<'t, R<N, B>>,
) -> BVar<'t, R<N, B>>
where
    N: Dim,
    B: Backend,
{
    or_fail(try_zip_with_vector(f, x, y))
}

/// [`zip_with_vector`], returning an error instead of panicking.
///
/// # Errors
/// [`LinalgError::ShapeMismatch`] (op `"zip_with_vector"`) if the lengths differ (possible only for a
/// run-time `N`).
pub fn try_zip_with_vector<'t, N, B>(
    mut f: impl FnMut(BVar<'t, B::Real>, BVar<'t, B::Real>) -> BVar<'t, B::Real>,
    x: BVar<'t, R<N, B>>,
    y: BVar<'t, R<N, B>>,
) -> Result<BVar<'t, R<N, B>>, LinalgError>
where
    N: Dim,
    B: Backend,
{
    same_len("zip_with_vector", &x, &y)?;
    Ok({
        let zs: Vec<_> = scalars::<B, _>(x)
            .into_iter()
            .zip(scalars::<B, _>(y))
            .map(|(a, b)| f(a, b))
            .collect();
        from_scalars(x.tape(), &zs, x.value())
    })
}

/// `f` on corresponding entries of `x` and `y`, recorded as one node (hmatrix-backprop's
/// `zipWithVector'`): `f` is closed (`for<'s>`), and each pair is differentiated on its own
/// tape with [`backprop2`] in the forward pass.
///
/// Gradient: `x̄ = z̄ ∘ ∂₁f(x, y)`, `ȳ = z̄ ∘ ∂₂f(x, y)`.
///
/// # Panics
/// As [`try_zip_with_vector_`].
#[track_caller]
pub fn zip_with_vector_<'t, N, B, F>(
    f: F,
    x: BVar<'t, R<N, B>>,
    y: BVar<'t, R<N, B>>,
) -> BVar<'t, R<N, B>>
where
    N: Dim,
    B: Backend,
    F: for<'s> Fn(BVar<'s, B::Real>, BVar<'s, B::Real>) -> BVar<'s, B::Real>,
{
    or_fail(try_zip_with_vector_(f, x, y))
}

/// [`zip_with_vector_`], returning an error instead of panicking.
///
/// # Errors
/// [`LinalgError::ShapeMismatch`] (op `"zip_with_vector_"`) if the lengths differ (possible only for a
/// run-time `N`).
pub fn try_zip_with_vector_<'t, N, B, F>(
    f: F,
    x: BVar<'t, R<N, B>>,
    y: BVar<'t, R<N, B>>,
) -> Result<BVar<'t, R<N, B>>, LinalgError>
where
    N: Dim,
    B: Backend,
    F: for<'s> Fn(BVar<'s, B::Real>, BVar<'s, B::Real>) -> BVar<'s, B::Real>,
{
    same_len("zip_with_vector_", &x, &y)?;
    Ok({
        let (xv, yv) = (x.value(), y.value());
        if !(x.requires_grad() || y.requires_grad()) {
            let z = zip_map::<B, _>(xv, yv, |a, b| eval_bp2(&f, &a, &b));
            return Ok(x.tape().constant(z));
        }
        let (xs, ys) = (xv.to_vec(), yv.to_vec());
        #[allow(clippy::type_complexity)] // (value, (∂x, ∂y)) per entry
        let triples: Vec<(RealOf<B>, (RealOf<B>, RealOf<B>))> = xs
            .iter()
            .zip(&ys)
            .map(|(a, b)| backprop2(&f, a, b))
            .collect();
        let n = triples.len();
        let value = R::build(n, |i| triples[i].0);
        let dx = R::build(n, |i| triples[i].1.0);
        let dy = R::build(n, |i| triples[i].1.1);
        let second = x
            .tape()
            .second_order()
            .then(|| of_first_partials(second_partials(&f, xv, yv)));
        record_zip(
            "zip_with_vector_",
            x,
            y,
            value,
            Rc::new(move |_, _| (dx.clone(), dy.clone())),
            second,
        )
    })
}

/// `f` on corresponding entries of `x` and `y`, differentiated pair by pair only in the backward
/// pass with [`grad_bp2`] (hmatrix-backprop's `dzipWithVector`); `f` is kept until then.
///
/// Gradient: `x̄ = z̄ ∘ ∂₁f(x, y)`, `ȳ = z̄ ∘ ∂₂f(x, y)`.
///
/// # Panics
/// As [`try_dzip_with_vector`].
#[track_caller]
pub fn dzip_with_vector<'t, N, B, F>(
    f: F,
    x: BVar<'t, R<N, B>>,
    y: BVar<'t, R<N, B>>,
) -> BVar<'t, R<N, B>>
where
    N: Dim,
    B: Backend,
    F: for<'s> Fn(BVar<'s, B::Real>, BVar<'s, B::Real>) -> BVar<'s, B::Real> + 'static,
{
    or_fail(try_dzip_with_vector(f, x, y))
}

/// [`dzip_with_vector`], returning an error instead of panicking.
///
/// # Errors
/// [`LinalgError::ShapeMismatch`] (op `"dzip_with_vector"`) if the lengths differ (possible only for a
/// run-time `N`).
pub fn try_dzip_with_vector<'t, N, B, F>(
    f: F,
    x: BVar<'t, R<N, B>>,
    y: BVar<'t, R<N, B>>,
) -> Result<BVar<'t, R<N, B>>, LinalgError>
where
    N: Dim,
    B: Backend,
    F: for<'s> Fn(BVar<'s, B::Real>, BVar<'s, B::Real>) -> BVar<'s, B::Real> + 'static,
{
    same_len("dzip_with_vector", &x, &y)?;
    Ok({
        let value = zip_map::<B, _>(x.value(), y.value(), |a, b| eval_bp2(&f, &a, &b));
        let f = Rc::new(f);
        let (g1, g2) = (Rc::clone(&f), Rc::clone(&f));
        let second: (Partials<N, B>, Partials<N, B>) = (
            Rc::new(move |x, y| {
                let (f11, f12, _) = second_partials(&*g1, x, y);
                (f11, f12)
            }),
            Rc::new(move |x, y| {
                let (_, f12, f22) = second_partials(&*g2, x, y);
                (f12, f22)
            }),
        );
        record_zip(
            "dzip_with_vector",
            x,
            y,
            value,
            Rc::new(move |x, y| {
                let partials: Vec<(B::Real, B::Real)> = x
                    .to_vec()
                    .into_iter()
                    .zip(y.to_vec())
                    .map(|(a, b)| grad_bp2(&*f, &a, &b))
                    .collect();
                let n = partials.len();
                (
                    R::build(n, |i| partials[i].0),
                    R::build(n, |i| partials[i].1),
                )
            }),
            Some(second),
        )
    })
}
