//! The gradient suite: every differentiable operation of `backprop-linalg` checked on every
//! backend with the core gradient checker (random cotangents on every output, random
//! directions, central differences, relative tolerance 1e-6; the full Jacobian for small
//! inputs), plus the regressions for the rules hmatrix-backprop gets wrong, the subgradient
//! conventions, the error paths and the robustness sweeps.
//!
//! One module per operation family, as `backprop-linalg/src/ops/` is laid out; each holds its
//! helpers and one `backprop_tests::cases!` block of generic cases, and `families!` below runs
//! every case on every backend of `backprop_tests::for_each_backend!`. A test is named
//! `backend::family::case`:
//!
//! | module | operations |
//! |---|---|
//! | [`products`] | `mul`, `app`, `dot`, `outer`, `cross`, `affine`, `affine_cols`, `add_to_cols`, element-wise arithmetic |
//! | [`structure`] | `sum_elements`, `tr`, `sym`, `un_sym`, `m_tm`, `trace`, `take_diag`, `diag`, `diag_r`, `eye`, `konst`, `extract_*`/`create`, vectors and matrices built, joined and split, `to_rows`/`from_rows`/…, `linspace`, `range`; gradients with respect to `Sym` inputs |
//! | [`maps`] | `vmap`, `mmap`, `zip_with_vector`, their `_` (isolated) and `d` (closed-form) forms |
//! | [`svd`] | `svd`, `svd_`, `svd_tall`, `svd_flat`, `pinv` |
//! | [`eigen`] | `eigensystem`, `eigenvalues` |
//! | [`eigen_general`] | `eig`, `eigenvalues_general` (general real matrices, complex results; vectors through phase-invariant functions) |
//! | [`cholesky`] | `chol`, `chol_solve` |
//! | [`qr`] | `qr`, `lq`, `qr_wide`, `lstsq` (tall and wide) |
//! | [`lu`](mod@lu) | `lu` |
//! | [`solve`] | `lin_solve`, `lin_solve_v`, `triangular_solve` |
//! | [`determinant`] | `det`, `inv`, `lndet`, `invlndet`, `slogdet` |
//! | [`matrix_functions`] | `expm`, `sqrtm`, `logm` |
//! | [`sym_functions`] | `sym_fn`, `sym_exp`, `sym_log`, `sym_sqrt`, `sym_pow`, at separated and repeated eigenvalues |
//! | [`convolution`] | `conv`, `corr`, `conv2`, `corr2` |
//! | [`statistics`] | `mean`, `cov`, `mean_cov`, `mean_l` |
//! | [`norms`] | `norm_0`, `norm_1v`, `norm_2v`, `norm_inf_v`, `norm_1m`, `norm_2m`, `norm_inf_m` |
//! | [`complex`] | the complex ops (`C`, `M`) and the Hermitian ones (`Her`) |
//! | [`dynamic`] | every op again with run-time (`Dyn`) and mixed sizes: its gradient, and the same value and gradient as with static sizes; random run-time sizes, 0 and 1 included |
//! | [`single`] | single precision (`Faer<f32>`, ...): a case per family against `f32` central differences and against `f64`; bad input in `f32` |
//! | [`robustness`] | bad input across every op: singular, nearly singular, non-positive-definite, NaN/∞ and mis-shaped inputs; finite backward passes; fuzzed chains; threads; unwinding |
//!
//! Every case generic over the precision (bound `Backend`, not `Double`) runs again in `f32` as
//! `in_f32::backend::family::case`, checked with the single-precision settings of the checker
//! (step `ε^{1/3}`, tolerance `ε^{1/3}` ≈ 4.9e-3), and then in `f64` with the same draws: every
//! gradient check's `f32` value and gradient must agree with `f64`'s at the same rounded input
//! to `1e-3` relative (`backprop_tests::gradcheck::double`).
//!
//! Filters: `cargo test -p backprop-tests faer::` (one backend), `faer::chol` (the Cholesky
//! family on faer), `svd::` (one family, every backend), `mean_zero_entry_regression` (one case,
//! every backend).

mod cholesky;
mod complex;
mod convolution;
mod determinant;
mod dynamic;
mod eigen;
mod eigen_general;
mod lu;
mod maps;
mod matrix_functions;
mod norms;
mod products;
mod qr;
mod robustness;
mod single;
mod solve;
mod statistics;
mod structure;
mod svd;
mod sym_functions;

// Every family above, on every backend: `backend::family::case`.
backprop_tests::families!(
    products,
    structure,
    maps,
    svd,
    eigen,
    eigen_general,
    cholesky,
    qr,
    lu,
    solve,
    determinant,
    matrix_functions,
    sym_functions,
    convolution,
    statistics,
    norms,
    complex,
    robustness,
    dynamic,
);

// The same families in single precision (`in_f32::backend::family::case`): every case generic
// over the precision (bound `Backend`), checked with the checker's single-precision settings.
// `robustness` and `dynamic` stay in `f64`: their inputs are crafted at `f64`'s rounding level
// and their subject (bad input, run-time sizes) does not depend on the precision; `single`
// holds the `f32` error cases and the `f32`-against-`f64` comparisons.
backprop_tests::families_in_f32!(
    products,
    structure,
    maps,
    svd,
    eigen,
    eigen_general,
    cholesky,
    qr,
    lu,
    solve,
    determinant,
    matrix_functions,
    sym_functions,
    convolution,
    statistics,
    norms,
    complex,
);
