//! Masks of a matrix's entries, as the triangular rules use them: a triangle, and Murray's `Φ`
//! (the lower triangle with its diagonal halved). Each multiplies entry `(i, j)` by a fixed
//! weight, so it is linear and self-adjoint: the rule of its recorded form is the mask itself.

use std::cmp::Ordering;

use backprop_backend::Triangle;
use backprop_core::{BVar, Val};

use crate::L;
use crate::backend::{Backend, RealMatrix, lit};
use crate::dense::{Construct, Dense};
use crate::dim::Dim;
use crate::ops::support::record::rule1;

/// Which entries a mask keeps, and with what weight.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Mask {
    /// The lower triangle, diagonal included.
    Lower,
    /// The upper triangle, diagonal included.
    Upper,
    /// The strictly lower triangle.
    StrictLower,
    /// `Φ`: the strictly lower triangle, and half the diagonal.
    LowerHalfDiagonal,
}

impl From<Triangle> for Mask {
    fn from(tri: Triangle) -> Self {
        match tri {
            Triangle::Lower => Mask::Lower,
            Triangle::Upper => Mask::Upper,
        }
    }
}

/// The mask applied to a matrix's storage (entries outside it are exact zeros).
pub(crate) fn apply<B: Backend>(a: &RealMatrix<B>, mask: Mask) -> RealMatrix<B> {
    let (rows, cols) = B::mat_shape(a);
    B::mat_from_fn(rows, cols, |i, j| {
        let keep = match (mask, i.cmp(&j)) {
            (Mask::Lower | Mask::StrictLower | Mask::LowerHalfDiagonal, Ordering::Greater) => true,
            (Mask::Upper, Ordering::Less) | (Mask::Lower | Mask::Upper, Ordering::Equal) => true,
            (Mask::LowerHalfDiagonal, Ordering::Equal) => {
                return lit::<B>(0.5) * B::mat_get(a, i, j);
            }
            _ => false,
        };
        if keep {
            B::mat_get(a, i, j)
        } else {
            lit::<B>(0.0)
        }
    })
}

/// The mask of a quantity of a rule: applied on plain values, recorded on variables.
pub(crate) fn masked<'v, M, N, B>(v: Val<'v, L<M, N, B>>, mask: Mask) -> Val<'v, L<M, N, B>>
where
    M: Dim,
    N: Dim,
    B: Backend,
{
    v.map(
        |a| L::wrap(apply::<B>(a.data(), mask)),
        |a| masked_var(a, mask),
    )
}

/// The mask, recorded. Gradient: the mask of the cotangent (it is self-adjoint).
fn masked_var<'t, M, N, B>(a: BVar<'t, L<M, N, B>>, mask: Mask) -> BVar<'t, L<M, N, B>>
where
    M: Dim,
    N: Dim,
    B: Backend,
{
    let value = L::wrap(apply::<B>(a.value().data(), mask));
    rule1(a, value, move |cx, ia, _, dy| cx.add(ia, masked(dy, mask)))
}
