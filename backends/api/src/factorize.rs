//! [`Factorize`]: decompositions and solves over real scalars, with one set of conventions.

use crate::conventions::{
    descending_order, fix_column_signs, fix_qr_signs, is_singular, permute_columns,
};
use crate::{LinalgBackend, LinalgError, RealScalar, Transpose, Triangle, validate};
use num_complex::Complex;

/// `P·A = L·U` with partial (row) pivoting.
#[derive(Debug, Clone, PartialEq)]
pub struct Lu<M, R> {
    /// Unit lower-triangular `L` (`n×n`, ones on the diagonal, stored explicitly).
    pub l: M,
    /// Upper-triangular `U` (`n×n`); its diagonal holds the pivots.
    pub u: M,
    /// Row permutation: row `i` of `P·A` is row `perm[i]` of `A`.
    pub perm: Vec<usize>,
    /// `det(P)`: `1` for an even permutation, `-1` for an odd one.
    pub perm_sign: R,
}

/// `A = V·diag(λ)·Vᵀ` for symmetric `A`.
#[derive(Debug, Clone, PartialEq)]
pub struct SymEigen<M, V> {
    /// Eigenvalues, in **descending** order (hmatrix's order).
    pub values: V,
    /// Orthonormal eigenvectors as **columns**, column `j` belonging to `values[j]`, each with
    /// its largest-magnitude entry positive (see [`crate::conventions::fix_column_signs`]).
    pub vectors: M,
}

/// `A·V = V·diag(λ)` for a general real square `A`: complex eigenvalues and eigenvectors.
#[derive(Debug, Clone, PartialEq)]
pub struct GeneralEigen<M, T> {
    /// Eigenvalues, ordered by **descending real part**, then descending imaginary part (so a
    /// complex-conjugate pair appears as `a + ib`, `a − ib` with `b > 0`).
    pub values: Vec<Complex<T>>,
    /// Real parts of the eigenvectors (columns, column `j` belonging to `values[j]`).
    pub vectors_re: M,
    /// Imaginary parts of the eigenvectors. Each eigenvector has unit 2-norm and its entry of
    /// largest modulus (the first on ties, [`crate::conventions::largest_entry`]) real and
    /// positive.
    pub vectors_im: M,
}

/// `A = U·Σ·Vᵀ`.
#[derive(Debug, Clone, PartialEq)]
pub struct Svd<M, V> {
    /// Left singular vectors as columns: `m×k` (thin) or `m×m` (full).
    pub u: M,
    /// The `k = min(m, n)` singular values, non-negative and **descending**.
    pub s: V,
    /// Right singular vectors as columns (this is `V`, not `Vᵀ`): `n×k` (thin) or `n×n` (full).
    pub v: M,
}

/// `A = Q·R`.
#[derive(Debug, Clone, PartialEq)]
pub struct Qr<M> {
    /// Orthonormal columns: `m×k` (thin) or `m×m` (full), `k = min(m, n)`.
    pub q: M,
    /// Upper triangular (trapezoidal), with a **non-negative diagonal**: `k×n` (thin) or `m×n`
    /// (full).
    pub r: M,
}

/// Decompositions and linear solves, for real scalars (`f32`, `f64`).
///
/// # How it is split
/// A backend implements only the `*_raw` hooks, which call its library on input that the
/// provided methods have already validated (square where needed, finite, non-empty), and may
/// return factors in any order and with any signs. The provided methods are the public API: they
/// validate, call the hook, then apply the conventions below with the shared functions in
/// [`crate::conventions`]. So every backend follows them exactly, and user code never calls a hook.
///
/// # Conventions
/// - **Validation first.** Every decomposition checks its input before decomposing: a
///   non-square matrix where a square one is needed, or mismatched operands, give
///   [`LinalgError::ShapeMismatch`]; any NaN or infinity gives [`LinalgError::NonFinite`].
/// - **LU, solve, inverse**: partial pivoting. The matrix is singular by the rule of
///   [`crate::conventions::is_singular`] (a zero pivot, or smallest/largest pivot magnitude ≤ 100·n·ε);
///   `solve` and `inverse` of a singular matrix give [`LinalgError::Singular`].
/// - **Determinant** of a singular matrix is `0` (not an error): `det` is `det(P)·Π Uᵢᵢ`, and
///   exactly `0` when a pivot is exactly zero. `ln_abs_det` returns `(ln|det|, sign)` with
///   `sign ∈ {-1, 0, 1}`, and `(-∞, 0)` when a pivot is exactly zero.
/// - **Cholesky** returns the **lower** factor `L` (`A = L·Lᵀ`, strict upper triangle zero,
///   positive diagonal) and reads only the lower triangle of `A`. Not positive definite gives
///   [`LinalgError::NotPositiveDefinite`].
/// - **Symmetric eigen** decomposes `(A + Aᵀ)/2` (so either triangle may be filled); eigenvalues
///   **descending**, eigenvectors as columns.
/// - **SVD**: singular values **descending**; thin `U m×k`, `V n×k`; full `U m×m`, `V n×n`.
/// - **Sign rule** (eigenvectors and singular vectors): in each column of `V` (eigen) or `U`
///   (SVD), the entry of largest absolute value is positive (the first such index on ties, see
///   [`crate::conventions::largest_entry`]); for the SVD, the matching column of `V` is flipped with it.
///   Columns of a full SVD's `U` or `V` beyond `k` (a basis of a null space, unique only up to
///   rotation when its dimension exceeds one) follow the same rule on their own.
/// - **QR**: `R`'s diagonal is non-negative (flipping `Q` columns and `R` rows to match); the
///   columns of a full `Q` beyond `k` follow the sign rule.
/// - Eigenvectors and singular vectors of repeated eigenvalues/singular values are not unique;
///   the factorization is still exact, but the vectors may differ between backends.
pub trait Factorize<T: RealScalar>: LinalgBackend<T> {
    // ----- hooks (implemented by a backend, called only by the provided methods) -----

    /// Hook: partial-pivoting LU of a finite square matrix. May produce non-finite entries when
    /// a pivot is zero; the caller checks pivots before using the factors.
    fn lu_raw(a: &Self::Matrix) -> Lu<Self::Matrix, T>;

    /// Hook: solves `op(A)·X = B` for triangular `A`, reading only the `tri` triangle of `A`.
    /// `A` is finite with non-zero diagonal; `trans` is `No` or `Yes` (never `Adjoint`).
    fn solve_triangular_raw(
        a: &Self::Matrix,
        b: &Self::Matrix,
        tri: Triangle,
        trans: Transpose,
    ) -> Self::Matrix;

    /// Hook: Cholesky lower factor of a finite square matrix (reading its lower triangle), or
    /// `None` when it is not positive definite. Entries above the diagonal are ignored by the
    /// caller.
    fn cholesky_raw(a: &Self::Matrix) -> Option<Self::Matrix>;

    /// Hook: eigenvalues (any order) and eigenvectors (columns, any signs) of a finite,
    /// exactly symmetric, non-empty matrix, or `None` if the iteration did not converge.
    fn sym_eigen_raw(a: &Self::Matrix) -> Option<(Vec<T>, Self::Matrix)>;

    /// Hook: SVD `A = U·diag(s)·Vᵀ` of a finite non-empty matrix, thin or full, singular values
    /// in any order and vectors with any signs, or `None` if the iteration did not converge.
    fn svd_raw(a: &Self::Matrix, full: bool) -> Option<(Self::Matrix, Vec<T>, Self::Matrix)>;

    /// Hook: Householder QR `A = Q·R` of a finite non-empty matrix, thin or full, any signs.
    fn qr_raw(a: &Self::Matrix, full: bool) -> (Self::Matrix, Self::Matrix);

    /// Hook: eigenvalues (any order; those of a complex-conjugate pair exactly conjugate) and
    /// right eigenvectors (columns as real and imaginary parts, any scaling; those of a pair
    /// conjugate) of a finite, non-empty, general square matrix, or `None` if the iteration did
    /// not converge.
    #[allow(clippy::type_complexity)]
    fn eigen_general_raw(a: &Self::Matrix)
    -> Option<(Vec<Complex<T>>, Self::Matrix, Self::Matrix)>;

    // ----- LU family -----

    /// LU with partial pivoting, `P·A = L·U`.
    ///
    /// # Errors
    /// [`LinalgError::ShapeMismatch`] for a non-square matrix, [`LinalgError::NonFinite`] for
    /// NaN/∞ entries. A singular matrix is *not* an error here (its `U` has a zero or tiny pivot).
    fn lu(a: &Self::Matrix) -> Result<Lu<Self::Matrix, T>, LinalgError> {
        validate::square_finite::<T, Self>("lu", a)?;
        Ok(Self::lu_raw(a))
    }

    /// Solves `A·X = B` by LU with partial pivoting.
    ///
    /// # Errors
    /// [`LinalgError::ShapeMismatch`] if `A` is not square or `B` has a different number of rows;
    /// [`LinalgError::NonFinite`] if `A` or `B` holds NaN/∞; [`LinalgError::Singular`] if `A` is
    /// singular by the rule of [`crate::conventions::is_singular`].
    fn solve(a: &Self::Matrix, b: &Self::Matrix) -> Result<Self::Matrix, LinalgError> {
        lu_solve::<T, Self>("solve", a, b)
    }

    /// Solves `A·x = b` for a vector `b` (see [`solve`](Self::solve)).
    ///
    /// # Errors
    /// As [`solve`](Self::solve).
    fn solve_vec(a: &Self::Matrix, b: &Self::Vector) -> Result<Self::Vector, LinalgError> {
        let n = Self::vec_len(b);
        let bm = Self::mat_from_fn(n, 1, |i, _| Self::vec_get(b, i));
        let x = lu_solve::<T, Self>("solve_vec", a, &bm)?;
        Ok(Self::vec_from_fn(Self::mat_shape(&x).0, |i| {
            Self::mat_get(&x, i, 0)
        }))
    }

    /// `A⁻¹`, by LU with partial pivoting.
    ///
    /// # Errors
    /// [`LinalgError::ShapeMismatch`] (non-square), [`LinalgError::NonFinite`],
    /// [`LinalgError::Singular`].
    fn inverse(a: &Self::Matrix) -> Result<Self::Matrix, LinalgError> {
        let n = validate::square("inverse", Self::mat_shape(a))?;
        lu_solve::<T, Self>("inverse", a, &Self::mat_identity(n))
    }

    /// `det(A)`; `0` for an exactly singular matrix (not an error).
    ///
    /// # Errors
    /// [`LinalgError::ShapeMismatch`] (non-square), [`LinalgError::NonFinite`].
    fn det(a: &Self::Matrix) -> Result<T, LinalgError> {
        validate::square_finite::<T, Self>("det", a)?;
        let lu = Self::lu_raw(a);
        let pivots = Self::vec_to_vec(&Self::mat_diag(&lu.u));
        if pivots.iter().any(|p| *p == T::zero()) {
            return Ok(T::zero());
        }
        Ok(pivots.iter().fold(lu.perm_sign, |acc, &p| acc * p))
    }

    /// `(ln|det A|, sign det A)`, computed without overflow; `(-∞, 0)` when a pivot is exactly
    /// zero.
    ///
    /// # Errors
    /// [`LinalgError::ShapeMismatch`] (non-square), [`LinalgError::NonFinite`].
    fn ln_abs_det(a: &Self::Matrix) -> Result<(T, T), LinalgError> {
        validate::square_finite::<T, Self>("ln_abs_det", a)?;
        let lu = Self::lu_raw(a);
        let pivots = Self::vec_to_vec(&Self::mat_diag(&lu.u));
        if pivots.iter().any(|p| *p == T::zero()) {
            return Ok((T::neg_infinity(), T::zero()));
        }
        Ok(pivots
            .iter()
            .fold((T::zero(), lu.perm_sign), |(ln, sign), &p| {
                (ln + p.abs().ln(), sign * p.signum())
            }))
    }

    /// Solves `op(A)·X = B` where `A` is triangular; only the `tri` triangle of `A` is read.
    /// `Transpose::Adjoint` equals `Transpose::Yes` for real scalars.
    ///
    /// # Errors
    /// [`LinalgError::ShapeMismatch`] (non-square `A`, or `B` with the wrong number of rows),
    /// [`LinalgError::NonFinite`] (NaN/∞ in the read triangle or in `B`),
    /// [`LinalgError::Singular`] (diagonal singular by [`crate::conventions::is_singular`]).
    fn solve_triangular(
        a: &Self::Matrix,
        b: &Self::Matrix,
        tri: Triangle,
        trans: Transpose,
    ) -> Result<Self::Matrix, LinalgError> {
        const OP: &str = "solve_triangular";
        let n = validate::square(OP, Self::mat_shape(a))?;
        let (br, bc) = Self::mat_shape(b);
        validate::same_shape(OP, (n, bc), (br, bc))?;
        let tri_part = triangle_of::<T, Self>(a, tri);
        validate::finite_matrix::<T, Self>(OP, &tri_part)?;
        validate::finite_matrix::<T, Self>(OP, b)?;
        if is_singular(&Self::vec_to_vec(&Self::mat_diag(a))) {
            return Err(LinalgError::Singular { op: OP });
        }
        let trans = if trans.is_transposed() {
            Transpose::Yes
        } else {
            Transpose::No
        };
        Ok(Self::solve_triangular_raw(&tri_part, b, tri, trans))
    }

    // ----- Cholesky -----

    /// Cholesky factor: lower-triangular `L` with positive diagonal and `A = L·Lᵀ`. Reads only
    /// the lower triangle of `A`.
    ///
    /// # Errors
    /// [`LinalgError::ShapeMismatch`] (non-square), [`LinalgError::NonFinite`] (NaN/∞ in the
    /// lower triangle), [`LinalgError::NotPositiveDefinite`].
    fn cholesky(a: &Self::Matrix) -> Result<Self::Matrix, LinalgError> {
        const OP: &str = "cholesky";
        let n = validate::square(OP, Self::mat_shape(a))?;
        let lower = triangle_of::<T, Self>(a, Triangle::Lower);
        validate::finite_matrix::<T, Self>(OP, &lower)?;
        if n == 0 {
            return Ok(lower);
        }
        let l = Self::cholesky_raw(&lower).ok_or(LinalgError::NotPositiveDefinite { op: OP })?;
        let l = triangle_of::<T, Self>(&l, Triangle::Lower);
        // A library may accept a matrix whose factor underflows to a zero or non-finite pivot.
        let diag = Self::vec_to_vec(&Self::mat_diag(&l));
        if diag.iter().any(|d| !(d.is_finite() && *d > T::zero())) {
            return Err(LinalgError::NotPositiveDefinite { op: OP });
        }
        Ok(l)
    }

    // ----- symmetric eigen -----

    /// Eigendecomposition of the symmetric matrix `(A + Aᵀ)/2`: eigenvalues descending,
    /// orthonormal eigenvectors as columns, signs by the sign rule.
    ///
    /// # Errors
    /// [`LinalgError::ShapeMismatch`] (non-square), [`LinalgError::NonFinite`],
    /// [`LinalgError::NoConvergence`].
    fn sym_eigen(a: &Self::Matrix) -> Result<SymEigen<Self::Matrix, Self::Vector>, LinalgError> {
        const OP: &str = "sym_eigen";
        let n = validate::square_finite::<T, Self>(OP, a)?;
        if n == 0 {
            return Ok(SymEigen {
                values: Self::vec_zeros(0),
                vectors: Self::mat_zeros(0, 0),
            });
        }
        let half = T::from_f64_real(0.5);
        let sym = Self::mat_from_fn(n, n, |i, j| {
            if i == j {
                Self::mat_get(a, i, i)
            } else {
                half * (Self::mat_get(a, i, j) + Self::mat_get(a, j, i))
            }
        });
        let (values, vectors) =
            Self::sym_eigen_raw(&sym).ok_or(LinalgError::NoConvergence { op: OP })?;
        let order = descending_order(&values);
        let mut vectors = permute_columns::<T, Self>(&vectors, &order);
        fix_column_signs::<T, Self>(&mut vectors, None, 0);
        Ok(SymEigen {
            values: Self::vec_from_fn(n, |j| values[order[j]]),
            vectors,
        })
    }

    /// Eigenvalues of `(A + Aᵀ)/2`, descending.
    ///
    /// # Errors
    /// As [`sym_eigen`](Self::sym_eigen).
    fn sym_eigenvalues(a: &Self::Matrix) -> Result<Self::Vector, LinalgError> {
        Ok(Self::sym_eigen(a)?.values)
    }

    /// Eigendecomposition `A·V = V·diag(λ)` of a general real square matrix: complex
    /// eigenvalues by descending real part (then imaginary part), eigenvectors of unit norm with
    /// their largest-modulus entry real and positive (see [`GeneralEigen`]).
    ///
    /// # Errors
    /// [`LinalgError::ShapeMismatch`] (non-square), [`LinalgError::NonFinite`],
    /// [`LinalgError::NoConvergence`].
    fn eigen_general(a: &Self::Matrix) -> Result<GeneralEigen<Self::Matrix, T>, LinalgError> {
        const OP: &str = "eigen_general";
        let n = validate::square_finite::<T, Self>(OP, a)?;
        if n == 0 {
            return Ok(GeneralEigen {
                values: Vec::new(),
                vectors_re: Self::mat_zeros(0, 0),
                vectors_im: Self::mat_zeros(0, 0),
            });
        }
        let (values, re, im) =
            Self::eigen_general_raw(a).ok_or(LinalgError::NoConvergence { op: OP })?;
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&i, &j| {
            let (x, y) = (values[i], values[j]);
            y.re.partial_cmp(&x.re)
                .unwrap_or(core::cmp::Ordering::Equal)
                .then(
                    y.im.partial_cmp(&x.im)
                        .unwrap_or(core::cmp::Ordering::Equal),
                )
        });
        // Column j: unit norm, its largest-modulus entry `p` rotated onto the positive real
        // axis (and its imaginary part set to exactly zero). Each column is normalised once;
        // both parts are read from it.
        let columns: Vec<Vec<Complex<T>>> = order
            .iter()
            .map(|&k| {
                let column: Vec<Complex<T>> = (0..n)
                    .map(|i| Complex::new(Self::mat_get(&re, i, k), Self::mat_get(&im, i, k)))
                    .collect();
                let moduli: Vec<T> = column.iter().map(|z| z.norm()).collect();
                let norm = moduli.iter().fold(T::zero(), |s, &m| s + m * m).sqrt();
                let Some(p) = crate::conventions::largest_entry(&moduli) else {
                    return column;
                };
                let phase = column[p].conj() / (moduli[p] * norm);
                let mut column: Vec<Complex<T>> = column.iter().map(|&z| z * phase).collect();
                column[p].im = T::zero();
                column
            })
            .collect();
        Ok(GeneralEigen {
            values: order.iter().map(|&k| values[k]).collect(),
            vectors_re: Self::mat_from_fn(n, n, |i, j| columns[j][i].re),
            vectors_im: Self::mat_from_fn(n, n, |i, j| columns[j][i].im),
        })
    }

    // ----- SVD -----

    /// Full SVD: `U m×m`, `s` of length `min(m, n)` descending, `V n×n`, signs by the sign rule.
    ///
    /// # Errors
    /// [`LinalgError::NonFinite`], [`LinalgError::NoConvergence`].
    fn svd(a: &Self::Matrix) -> Result<Svd<Self::Matrix, Self::Vector>, LinalgError> {
        svd_conventional::<T, Self>("svd", a, true)
    }

    /// Thin SVD: `U m×k`, `s` of length `k = min(m, n)` descending, `V n×k`.
    ///
    /// # Errors
    /// [`LinalgError::NonFinite`], [`LinalgError::NoConvergence`].
    fn svd_thin(a: &Self::Matrix) -> Result<Svd<Self::Matrix, Self::Vector>, LinalgError> {
        svd_conventional::<T, Self>("svd_thin", a, false)
    }

    /// Singular values, descending.
    ///
    /// # Errors
    /// [`LinalgError::NonFinite`], [`LinalgError::NoConvergence`].
    fn singular_values(a: &Self::Matrix) -> Result<Self::Vector, LinalgError> {
        Ok(svd_conventional::<T, Self>("singular_values", a, false)?.s)
    }

    /// Spectral norm: the largest singular value (0 for an empty matrix).
    ///
    /// # Errors
    /// [`LinalgError::NonFinite`], [`LinalgError::NoConvergence`].
    fn mat_norm_2(a: &Self::Matrix) -> Result<T, LinalgError> {
        let s = svd_conventional::<T, Self>("mat_norm_2", a, false)?.s;
        Ok(if Self::vec_len(&s) == 0 {
            T::zero()
        } else {
            Self::vec_get(&s, 0)
        })
    }

    // ----- QR -----

    /// Full QR: `Q m×m` orthogonal, `R m×n` upper trapezoidal with non-negative diagonal.
    ///
    /// # Errors
    /// [`LinalgError::NonFinite`].
    fn qr(a: &Self::Matrix) -> Result<Qr<Self::Matrix>, LinalgError> {
        qr_conventional::<T, Self>("qr", a, true)
    }

    /// Thin QR: `Q m×k` with orthonormal columns, `R k×n` with non-negative diagonal,
    /// `k = min(m, n)`.
    ///
    /// # Errors
    /// [`LinalgError::NonFinite`].
    fn qr_thin(a: &Self::Matrix) -> Result<Qr<Self::Matrix>, LinalgError> {
        qr_conventional::<T, Self>("qr_thin", a, false)
    }
}

/// The `tri` triangle of `a` (diagonal included), zeros elsewhere.
fn triangle_of<T: RealScalar, B: LinalgBackend<T>>(a: &B::Matrix, tri: Triangle) -> B::Matrix {
    let (r, c) = B::mat_shape(a);
    B::mat_from_fn(r, c, |i, j| {
        let keep = match tri {
            Triangle::Lower => i >= j,
            Triangle::Upper => i <= j,
        };
        if keep { B::mat_get(a, i, j) } else { T::zero() }
    })
}

/// `A·X = B` by LU, with validation and the singularity rule, errors labelled `op`.
fn lu_solve<T: RealScalar, B: Factorize<T>>(
    op: &'static str,
    a: &B::Matrix,
    b: &B::Matrix,
) -> Result<B::Matrix, LinalgError> {
    let n = validate::square_finite::<T, B>(op, a)?;
    let (br, bc) = B::mat_shape(b);
    if br != n {
        return Err(LinalgError::ShapeMismatch {
            op,
            expected: format!("a right-hand side with {n} rows"),
            found: format!("{br} rows"),
        });
    }
    validate::finite_matrix::<T, B>(op, b)?;
    let lu = B::lu_raw(a);
    if is_singular(&B::vec_to_vec(&B::mat_diag(&lu.u))) {
        return Err(LinalgError::Singular { op });
    }
    let pb = B::mat_from_fn(n, bc, |i, j| B::mat_get(b, lu.perm[i], j));
    let y = B::solve_triangular_raw(&lu.l, &pb, Triangle::Lower, Transpose::No);
    Ok(B::solve_triangular_raw(
        &lu.u,
        &y,
        Triangle::Upper,
        Transpose::No,
    ))
}

fn svd_conventional<T: RealScalar, B: Factorize<T>>(
    op: &'static str,
    a: &B::Matrix,
    full: bool,
) -> Result<Svd<B::Matrix, B::Vector>, LinalgError> {
    validate::finite_matrix::<T, B>(op, a)?;
    let (m, n) = B::mat_shape(a);
    let k = m.min(n);
    if k == 0 {
        let (uc, vc) = if full { (m, n) } else { (0, 0) };
        let u = B::mat_from_fn(m, uc, |i, j| if i == j { T::one() } else { T::zero() });
        let v = B::mat_from_fn(n, vc, |i, j| if i == j { T::one() } else { T::zero() });
        return Ok(Svd {
            u,
            s: B::vec_zeros(0),
            v,
        });
    }
    let (u, s, v) = B::svd_raw(a, full).ok_or(LinalgError::NoConvergence { op })?;
    if s.iter().any(|x| !x.is_finite()) {
        return Err(LinalgError::NoConvergence { op });
    }
    let order = descending_order(&s);
    let mut u = permute_columns::<T, B>(&u, &order);
    let mut v = permute_columns::<T, B>(&v, &order);
    fix_column_signs::<T, B>(&mut u, Some(&mut v), 0);
    if B::mat_shape(&v).1 > k {
        fix_column_signs::<T, B>(&mut v, None, k);
    }
    Ok(Svd {
        u,
        s: B::vec_from_fn(k, |j| s[order[j]].abs()),
        v,
    })
}

fn qr_conventional<T: RealScalar, B: Factorize<T>>(
    op: &'static str,
    a: &B::Matrix,
    full: bool,
) -> Result<Qr<B::Matrix>, LinalgError> {
    validate::finite_matrix::<T, B>(op, a)?;
    let (m, n) = B::mat_shape(a);
    let k = m.min(n);
    if k == 0 {
        let qc = if full { m } else { 0 };
        let q = B::mat_from_fn(m, qc, |i, j| if i == j { T::one() } else { T::zero() });
        return Ok(Qr {
            q,
            r: B::mat_zeros(qc, n),
        });
    }
    let (mut q, mut r) = B::qr_raw(a, full);
    fix_qr_signs::<T, B>(&mut q, &mut r);
    if B::mat_shape(&q).1 > k {
        fix_column_signs::<T, B>(&mut q, None, k);
    }
    Ok(Qr { q, r })
}

/// Extends the orthonormal columns of `q` (`m×k`, `k ≤ m`) to an orthonormal basis of the whole
/// space (`m×m`), keeping the first `k` columns as they are.
///
/// For backends whose library computes only thin factors: the extra columns come from the full
/// QR of `q`, whose trailing `m − k` columns span the orthogonal complement of `q`'s columns.
pub fn complete_orthonormal_basis<T: RealScalar, B: Factorize<T>>(q: &B::Matrix) -> B::Matrix {
    let (m, k) = B::mat_shape(q);
    if k >= m {
        return q.clone();
    }
    let (full_q, _) = B::qr_raw(q, true);
    B::mat_from_fn(m, m, |i, j| {
        if j < k {
            B::mat_get(q, i, j)
        } else {
            B::mat_get(&full_q, i, j)
        }
    })
}
