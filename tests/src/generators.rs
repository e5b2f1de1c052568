//! proptest strategies for well-conditioned inputs, built from parameters so that shrinking
//! keeps the property the input was built for (invertible, SPD, separated spectrum).

use proptest::prelude::*;

use crate::Dense;

/// Largest dimension drawn by the strategies here.
pub const MAX_DIM: usize = 6;

/// A dimension in `1..=MAX_DIM`.
pub fn dim() -> impl Strategy<Value = usize> {
    1..=MAX_DIM
}

/// An `rows×cols` matrix with entries in `[-1, 1]`.
pub fn matrix(rows: usize, cols: usize) -> impl Strategy<Value = Dense> {
    proptest::collection::vec(-1.0f64..1.0, rows * cols).prop_map(move |data| Dense {
        rows,
        cols,
        data,
    })
}

/// A matrix of any shape up to `MAX_DIM×MAX_DIM`, entries in `[-1, 1]`.
pub fn any_matrix() -> impl Strategy<Value = Dense> {
    (dim(), dim()).prop_flat_map(|(r, c)| matrix(r, c))
}

/// A vector of length `n` with entries in `[-1, 1]`.
pub fn vector(n: usize) -> impl Strategy<Value = Vec<f64>> {
    proptest::collection::vec(-1.0f64..1.0, n)
}

/// An `n×n` orthogonal matrix: a product of `n` Householder reflections `I − 2vvᵀ/‖v‖²` whose
/// vectors are drawn (each kept away from zero by a unit offset on one entry).
pub fn orthogonal(n: usize) -> impl Strategy<Value = Dense> {
    proptest::collection::vec(vector(n), n).prop_map(move |vs| {
        let mut q = Dense::identity(n);
        for (k, mut v) in vs.into_iter().enumerate() {
            v[k % n] += 2.0;
            let nn: f64 = v.iter().map(|x| x * x).sum();
            let h = Dense::from_fn(n, n, |i, j| {
                f64::from(u8::from(i == j)) - 2.0 * v[i] * v[j] / nn
            });
            q = q.matmul(&h);
        }
        q
    })
}

/// A diagonally dominant (hence invertible, well-conditioned) `n×n` matrix, with diagonal signs
/// drawn so determinants of both signs occur.
pub fn diag_dominant(n: usize) -> impl Strategy<Value = Dense> {
    (matrix(n, n), proptest::collection::vec(any::<bool>(), n)).prop_map(move |(a, signs)| {
        Dense::from_fn(n, n, |i, j| {
            if i == j {
                let off: f64 = (0..n).filter(|&k| k != i).map(|k| a.at(i, k).abs()).sum();
                let s = if signs[i] { 1.0 } else { -1.0 };
                s * (off + 1.0 + a.at(i, i).abs())
            } else {
                a.at(i, j)
            }
        })
    })
}

/// A symmetric positive definite `n×n` matrix `B·Bᵀ + n·I`.
pub fn spd(n: usize) -> impl Strategy<Value = Dense> {
    matrix(n, n).prop_map(move |b| {
        let bbt = b.matmul(&b.t());
        #[allow(clippy::cast_precision_loss)]
        bbt.lin(1.0, &Dense::identity(n), n as f64)
    })
}

/// Eigenvalues for a separated spectrum: distinct, pairwise at least `0.5` apart, of either
/// sign, as `(values, Q)` with `A = Q·diag(values)·Qᵀ`.
pub fn separated_spectrum(n: usize) -> impl Strategy<Value = (Vec<f64>, Dense)> {
    (
        proptest::collection::vec(0.5f64..1.5, n),
        -3.0f64..3.0,
        orthogonal(n),
    )
        .prop_map(|(gaps, start, q)| {
            let mut acc = start;
            let values = gaps
                .iter()
                .map(|g| {
                    acc += g;
                    acc
                })
                .collect();
            (values, q)
        })
}

/// A symmetric `n×n` matrix with a separated spectrum, with its eigenvalues (in the drawn order).
pub fn symmetric_separated(n: usize) -> impl Strategy<Value = (Dense, Vec<f64>)> {
    separated_spectrum(n).prop_map(move |(values, q)| {
        let a = q.matmul(&Dense::diag(n, n, &values)).matmul(&q.t());
        (
            Dense::from_fn(n, n, |i, j| 0.5 * (a.at(i, j) + a.at(j, i))),
            values,
        )
    })
}

/// An `m×n` matrix `U·Σ·Vᵀ` with distinct singular values at least `0.5` apart (all ≥ 0.5), with
/// those singular values.
pub fn separated_singular(m: usize, n: usize) -> impl Strategy<Value = (Dense, Vec<f64>)> {
    let k = m.min(n);
    (
        proptest::collection::vec(0.5f64..1.5, k),
        orthogonal(m),
        orthogonal(n),
    )
        .prop_map(move |(gaps, u, v)| {
            let mut acc = 0.0;
            let s: Vec<f64> = gaps
                .iter()
                .map(|g| {
                    acc += g;
                    acc
                })
                .collect();
            (u.matmul(&Dense::diag(m, n, &s)).matmul(&v.t()), s)
        })
}
