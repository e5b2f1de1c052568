//! Every operation, one module per family, each a function on [`BVar`](backprop_core::BVar)s
//! with its gradient rule in its documentation and its pullback beside its forward code.
//!
//! | family | operations | file |
//! |---|---|---|
//! | products | [`mul`], [`app`], [`dot`], [`outer`], [`cross`], [`scale`] | `products/mod.rs` |
//! | | [`affine`], [`affine_cols`], [`add_to_cols`] | `products/affine.rs` |
//! | structure | [`tr`], [`sym`], [`un_sym`], [`m_tm`], [`sum_elements`], [`trace`], [`take_diag`], [`diag_r`] | `structure.rs` |
//! | shape | [`vec2`]…, [`vector`], [`linspace`], [`range`], [`dim`], [`append`], [`snoc`], [`split`], [`head_tail`] | `shape/vectors.rs` |
//! | | [`row`], [`col`], [`unrow`], [`uncol`], [`hcat`], [`vcat`], [`split_rows`], [`split_cols`], [`eye`], [`diag`], [`matrix`] | `shape/matrices.rs` |
//! | | [`to_rows`], [`to_columns`], [`from_rows`], [`from_columns`] | `shape/rows.rs` |
//! | | [`konst`], [`extract_v`], [`extract_m`], [`create`] | `shape/sizes.rs` |
//! | svd | [`svd`](fn@svd), [`svd_`] | `svd/mod.rs` |
//! | | [`svd_tall`], [`svd_flat`] | `svd/thin.rs` |
//! | | [`pinv`] | `svd/pinv.rs` |
//! | eigen | [`eigensystem`], [`eigenvalues`] | `eigen.rs` |
//! | | [`eig`], [`eigenvalues_general`] (general real matrices, complex results) | `eigen_general.rs` |
//! | cholesky | [`chol`] | `cholesky.rs` |
//! | qr | [`qr`](fn@qr), [`lq`], [`qr_wide`], [`lstsq`] | `qr.rs` |
//! | lu | [`lu`](fn@lu) | `lu.rs` |
//! | solve | [`lin_solve`], [`lin_solve_v`], [`triangular_solve`], [`chol_solve`] | `solve.rs` |
//! | determinant | [`det`], [`lndet`], [`invlndet`], [`slogdet`], [`inv`] | `determinant.rs` |
//! | matrix functions | [`expm`], [`sqrtm`], [`logm`] | `matrix_functions.rs` |
//! | symmetric matrix functions | [`sym_fn`], [`sym_fn_`], [`sym_exp`], [`sym_log`], [`sym_sqrt`], [`sym_pow`] | `sym_functions.rs` |
//! | convolution | [`conv`], [`corr`], [`conv2`], [`corr2`] | `convolution.rs` |
//! | statistics | [`mean`], [`mean_l`], [`cov`], [`mean_cov`] | `statistics.rs` |
//! | norms | [`norm_0`], [`norm_1v`], [`norm_2v`], [`norm_inf_v`], [`norm_1m`], [`norm_2m`], [`norm_inf_m`] | `norms.rs` |
//! | element-wise | [`try_add`], [`try_sub`], [`try_hadamard`], [`try_div`] (the operators' `try_` forms) | `elementwise.rs` |
//! | precision | [`convert`] (and the [`Convert`] trait): `f32` ⇄ `f64`, or one backend to another | `precision.rs` |
//! | maps | [`vmap`], [`vmap_`], [`dvmap`], [`mmap`]…, [`zip_with_vector`]… | `maps.rs` |
//! | complex | [`mul_c`], [`app_c`], [`dot_c`], [`outer_c`], [`her`], [`un_her`], [`m_hm`], [`complex`](fn@complex), [`real`]… | `complex.rs` |
//!
//! Each fallible operation has a `try_` form beside it. What the ops share (recording helpers,
//! the spectral pullbacks' helpers, backend errors) is in `support/`. The shared suite in the
//! workspace's `tests/` crate checks every one against finite differences on every backend,
//! in test files named after the same families.

pub(crate) mod support;

pub mod cholesky;
pub mod complex;
pub mod convolution;
pub mod determinant;
pub mod eigen;
pub mod eigen_general;
pub mod elementwise;
pub mod lu;
pub mod maps;
pub mod matrix_functions;
pub mod norms;
pub mod precision;
pub mod products;
pub mod qr;
pub mod shape;
pub mod solve;
pub mod statistics;
pub mod structure;
pub mod svd;
pub mod sym_functions;

pub use cholesky::{chol, try_chol};
pub use complex::{
    app_c, complex, dot_c, from_complex, her, imag, m_hm, magnitude, mul_c, outer_c, real,
    sq_magnitude, to_complex, try_app_c, try_dot_c, try_her, try_mul_c, try_to_complex, un_her,
};
pub use convolution::{conv, conv2, corr, corr2, try_conv, try_conv2, try_corr, try_corr2};
pub use determinant::{
    det, inv, invlndet, lndet, slogdet, try_det, try_inv, try_invlndet, try_lndet, try_slogdet,
};
pub use eigen::{eigensystem, eigenvalues, try_eigensystem, try_eigenvalues};
pub use eigen_general::{eig, eigenvalues_general, try_eig, try_eigenvalues_general};
pub use elementwise::{try_add, try_div, try_hadamard, try_sub};
pub use lu::{lu, try_lu};
pub use maps::{
    dmmap, dvmap, dzip_with_vector, mmap, mmap_, try_dzip_with_vector, try_zip_with_vector,
    try_zip_with_vector_, vmap, vmap_, zip_with_vector, zip_with_vector_,
};
pub use matrix_functions::{expm, logm, sqrtm, try_expm, try_logm, try_sqrtm};
pub use norms::{norm_0, norm_1m, norm_1v, norm_2m, norm_2v, norm_inf_m, norm_inf_v, try_norm_2m};
pub use precision::{Convert, convert};
pub use products::{
    add_to_cols, affine, affine_cols, app, cross, dot, mul, outer, scale, try_add_to_cols,
    try_affine, try_affine_cols, try_app, try_dot, try_mul,
};
pub use qr::{lq, lstsq, qr, qr_wide, try_lq, try_lstsq, try_qr, try_qr_wide};
pub use shape::{
    StaticallySized, append, col, create, diag, dim, extract_m, extract_v, eye, from_columns,
    from_rows, hcat, head_tail, konst, linspace, linspace_n, matrix, range, row, snoc, split,
    split_at, split_cols, split_cols_at, split_rows, split_rows_at, to_columns, to_rows,
    try_create, try_from_columns, try_from_rows, try_hcat, try_head_tail, try_matrix,
    try_matrix_shape, try_split, try_split_at, try_split_cols, try_split_cols_at, try_split_rows,
    try_split_rows_at, try_vcat, try_vector, uncol, unrow, vcat, vec2, vec3, vec4, vector,
};
pub use solve::{
    Triangle, chol_solve, lin_solve, lin_solve_v, triangular_solve, try_chol_solve, try_lin_solve,
    try_lin_solve_v, try_triangular_solve,
};
pub use statistics::{cov, mean, mean_cov, mean_l, try_cov, try_mean, try_mean_cov, try_mean_l};
pub use structure::{
    diag_r, m_tm, sum_elements, sym, take_diag, tr, trace, try_sym, try_take_diag, try_trace,
    un_sym,
};
pub use svd::{
    pinv, svd, svd_, svd_flat, svd_tall, try_pinv, try_svd, try_svd_, try_svd_flat, try_svd_tall,
};
pub use sym_functions::{
    sym_exp, sym_fn, sym_fn_, sym_log, sym_pow, sym_sqrt, try_sym_exp, try_sym_fn, try_sym_fn_,
    try_sym_log, try_sym_pow, try_sym_sqrt,
};
