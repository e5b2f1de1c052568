//! The conventions every backend's decompositions follow, implemented once.
//!
//! Backends return whatever their library computes; [`crate::Factorize`]'s provided methods pass
//! it through these functions, so ordering, signs and the singularity rule are identical on every
//! backend by construction.

use crate::{LinalgBackend, RealScalar};

/// Relative tolerance (in units of machine epsilon) within which two entries of a column count as
/// tied for "largest absolute value" in the sign rule.
///
/// Exact ties are rare; near-ties within rounding must resolve the same way on every backend,
/// whose results differ in the last few bits, so "first index on ties" is applied with this
/// tolerance.
pub const SIGN_TIE_EPS_UNITS: f64 = 1000.0;

/// The singularity rule for LU pivots and triangular diagonals.
///
/// A square matrix with pivots `d₀..dₙ₋₁` (the diagonal of `U` in `PA = LU`, or the diagonal of a
/// triangular matrix) is **singular** when some pivot is zero or non-finite, or when
/// `min |dᵢ| ≤ 100·n·ε·max |dⱼ|`. The ratio `min |dᵢ| / max |dⱼ|` is a cheap estimate of the
/// reciprocal condition number (exact for triangular and diagonal matrices up to the scaling of
/// the off-diagonal part); near `n·ε` a solution has no correct digits, so we refuse to give
/// one. The factor 100 absorbs the rounding of the factorisation itself: a matrix that is
/// singular in exact arithmetic (a row a multiple of another) is left with a last pivot of a
/// few to a few tens of ε relative to the largest (faer's LU on
/// `[[a, 0, b], [a, 0, b], [0, c, 0]]` leaves 1e-15), which must still count as singular; a
/// matrix this close to singular (condition number beyond about 1/(100·n·ε), 1.5e13 for n = 3)
/// would give a solution with at most two or three correct digits. An empty matrix is not
/// singular.
#[must_use]
pub fn is_singular<R: RealScalar>(pivots: &[R]) -> bool {
    let n = pivots.len();
    if n == 0 {
        return false;
    }
    let mut min = R::infinity();
    let mut max = R::zero();
    for &d in pivots {
        let a = d.abs();
        if !a.is_finite() || a == R::zero() {
            return true;
        }
        min = min.min(a);
        max = max.max(a);
    }
    min <= R::from_usize(100 * n) * R::epsilon() * max
}

/// The index of the entry of largest absolute value, the first one on (near-)ties.
///
/// Entries within a relative [`SIGN_TIE_EPS_UNITS`]·ε of the largest count as tied. Returns
/// `None` for an empty or all-zero column.
#[must_use]
pub fn largest_entry<R: RealScalar>(column: &[R]) -> Option<usize> {
    let max = column.iter().fold(R::zero(), |m, x| m.max(x.abs()));
    if max == R::zero() {
        return None;
    }
    let tol = max * (R::one() - R::from_f64_real(SIGN_TIE_EPS_UNITS) * R::epsilon());
    column.iter().position(|x| x.abs() >= tol)
}

/// Applies the sign rule to the columns `from..` of `vectors`, flipping the same columns of
/// `partner`.
///
/// In each column of `vectors` the entry of largest absolute value (first on ties, see
/// [`largest_entry`]) is made positive by negating the column when it is negative; when `partner`
/// is given (the `V` of an SVD whose `vectors` is `U`), its column with the same index is negated
/// too, so `U·Σ·Vᵀ` is unchanged. Columns of `partner` beyond those of `vectors` are untouched.
pub fn fix_column_signs<R: RealScalar, B: LinalgBackend<R>>(
    vectors: &mut B::Matrix,
    mut partner: Option<&mut B::Matrix>,
    from: usize,
) {
    let (rows, cols) = B::mat_shape(vectors);
    let mut column = Vec::with_capacity(rows);
    for j in from..cols {
        column.clear();
        column.extend((0..rows).map(|i| B::mat_get(vectors, i, j)));
        if let Some(k) = largest_entry(&column) {
            if column[k] < R::zero() {
                negate_column::<R, B>(vectors, j);
                if let Some(p) = partner.as_deref_mut() {
                    if j < B::mat_shape(p).1 {
                        negate_column::<R, B>(p, j);
                    }
                }
            }
        }
    }
}

/// Negates column `j` in place.
pub fn negate_column<R: RealScalar, B: LinalgBackend<R>>(a: &mut B::Matrix, j: usize) {
    for i in 0..B::mat_shape(a).0 {
        let x = B::mat_get(a, i, j);
        B::mat_set(a, i, j, -x);
    }
}

/// Negates row `i` in place.
pub fn negate_row<R: RealScalar, B: LinalgBackend<R>>(a: &mut B::Matrix, i: usize) {
    for j in 0..B::mat_shape(a).1 {
        let x = B::mat_get(a, i, j);
        B::mat_set(a, i, j, -x);
    }
}

/// The permutation that sorts `values` in descending order (stable; NaN-free input assumed).
#[must_use]
pub fn descending_order<R: RealScalar>(values: &[R]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| {
        values[b]
            .partial_cmp(&values[a])
            .unwrap_or(core::cmp::Ordering::Equal)
    });
    order
}

/// The matrix whose column `j` is column `order[j]` of `a` (only the first `order.len()` columns
/// are permuted; later columns are copied as they are).
#[must_use]
pub fn permute_columns<R: RealScalar, B: LinalgBackend<R>>(
    a: &B::Matrix,
    order: &[usize],
) -> B::Matrix {
    let (r, c) = B::mat_shape(a);
    B::mat_from_fn(r, c, |i, j| {
        let src = if j < order.len() { order[j] } else { j };
        B::mat_get(a, i, src)
    })
}

/// Makes the diagonal of `R` non-negative in `A = Q·R`: for each `i < min(rows(R), cols(R))` with
/// `Rᵢᵢ < 0`, negates row `i` of `R` and column `i` of `Q`.
pub fn fix_qr_signs<R: RealScalar, B: LinalgBackend<R>>(q: &mut B::Matrix, r: &mut B::Matrix) {
    let (rr, rc) = B::mat_shape(r);
    for i in 0..rr.min(rc) {
        if B::mat_get(r, i, i) < R::zero() {
            negate_row::<R, B>(r, i);
            negate_column::<R, B>(q, i);
        }
    }
}
