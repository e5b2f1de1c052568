//! Structure: [`tr`], [`sym`], [`un_sym`], [`m_tm`], [`sum_elements`].

use backprop_backend::Transpose;
use backprop_core::{BVar, Backprop};
use typenum::Unsigned;

use crate::backend::{Backend, sized};
use crate::dense::{Dense, add_to_entries, filled, sum};
use crate::ops::record::{add_product, record1};
use crate::types::sym::symmetrize;
use crate::{L, Sq, Sym};

/// The transpose `Aᵀ` (hmatrix's `tr`).
///
/// Gradient: `Ā = (Āᵀ)ᵀ`, the transpose of the cotangent.
pub fn tr<'t, M, N, B>(a: BVar<'t, L<M, N, B>>) -> BVar<'t, L<N, M, B>>
where
    M: Unsigned + 'static,
    N: Unsigned + 'static,
    B: Backend,
{
    let t = L::wrap(B::mat_transpose(a.value().data()));
    record1(a, t, |ctx, ia, _, dt| {
        ctx.add(ia, L::wrap(B::mat_transpose(dt.data())));
    })
}

/// The symmetric part `(A + Aᵀ)/2` (hmatrix's `sym`).
///
/// Gradient: `Ā = sym(Ȳ)`; a `Sym` cotangent is already symmetric, so `Ā = Ȳ`.
pub fn sym<'t, N, B>(a: BVar<'t, Sq<N, B>>) -> BVar<'t, Sym<N, B>>
where
    N: Unsigned + 'static,
    B: Backend,
{
    let s = Sym::from_sq(a.value());
    record1(a, s, |ctx, ia, _, ds: Sym<N, B>| {
        ctx.add(ia, ds.to_sq());
    })
}

/// A symmetric matrix as an unconstrained square one (hmatrix's `unSym`).
///
/// Gradient: `Ā = sym(Ȳ)`. The cotangent of the square result need not be symmetric; its
/// symmetric part is the gradient with respect to the symmetric input (hmatrix-backprop passes
/// it through unsymmetrised, which is wrong for a non-symmetric cotangent).
pub fn un_sym<'t, N, B>(a: BVar<'t, Sym<N, B>>) -> BVar<'t, Sq<N, B>>
where
    N: Unsigned + 'static,
    B: Backend,
{
    let s = a.value().to_sq();
    record1(a, s, |ctx, ia, _, ds: Sq<N, B>| {
        ctx.add(ia, Sym::wrap(symmetrize::<B>(ds.data())));
    })
}

/// `Xᵀ·X`, symmetric by construction (hmatrix's `mTm`).
///
/// Gradient: `X̄ = X·(D + Dᵀ)` for the cotangent `D`; with `D` symmetric (as a `Sym` cotangent
/// is), `X̄ = 2·X·D`. hmatrix-backprop uses `2·X·D` also when a non-symmetric cotangent reaches
/// it through `unSym`, which is wrong; here `un_sym` symmetrises first.
pub fn m_tm<'t, M, N, B>(x: BVar<'t, L<M, N, B>>) -> BVar<'t, Sym<N, B>>
where
    M: Unsigned + 'static,
    N: Unsigned + 'static,
    B: Backend,
{
    let xv = x.value().data();
    let s = Sym::wrap(symmetrize::<B>(&sized(B::matmul(
        xv,
        Transpose::Yes,
        xv,
        Transpose::No,
    ))));
    record1(x, s, |ctx, ix, _, d: Sym<N, B>| {
        let x = ctx.value(ix);
        let d2 = B::mat_scale(d.data(), 2.0);
        add_product(ctx, ix, x.data(), Transpose::No, &d2, Transpose::No);
    })
}

/// The sum of all entries (hmatrix's `sumElements`), of a vector or matrix.
///
/// Gradient: `X̄ = s̄·1` (every entry gets `s̄`).
pub fn sum_elements<'t, B, T>(x: BVar<'t, T>) -> BVar<'t, f64>
where
    B: Backend,
    T: Dense<B> + Backprop,
{
    let s = sum::<B, T>(x.value());
    record1(x, s, |ctx, ix, _, ds| {
        let x = ctx.value(ix);
        ctx.accumulate(
            ix,
            |g| add_to_entries::<B, T>(g, ds),
            || filled::<B, T>(x, ds),
        );
    })
}
