//! Every operation, one module per group, each a function on [`BVar`](backprop_core::BVar)s with
//! its gradient rule in its documentation and its pullback beside its forward code.
//!
//! The shared suite in the workspace's `tests/` crate checks every one against finite
//! differences on every backend.

mod place;
mod record;

pub mod affine;
pub mod complex;
pub mod conversions;
pub mod determinant;
pub mod factorizations;
pub mod least_squares;
pub mod maps;
pub mod matrices;
pub mod matrix_functions;
pub mod misc;
pub mod norms;
pub mod products;
pub mod qr;
pub mod slogdet;
pub mod solve;
pub mod statistics;
pub mod structure;
pub mod thin_svd;
pub mod trace;
pub mod vectors;

pub use affine::{add_to_cols, affine, affine_cols};
pub use complex::{
    app_c, complex, dot_c, from_complex, her, imag, m_hm, magnitude, mul_c, outer_c, real,
    sq_magnitude, to_complex, un_her,
};
pub use conversions::{
    from_columns, from_rows, to_columns, to_rows, try_from_columns, try_from_rows,
};
pub use determinant::{det, inv, invlndet, lndet, try_det, try_inv, try_invlndet, try_lndet};
pub use factorizations::{
    chol, eigensystem, eigenvalues, svd, svd_, try_chol, try_eigensystem, try_eigenvalues, try_svd,
    try_svd_,
};
pub use least_squares::{lstsq, pinv, try_lstsq, try_pinv};
pub use maps::{
    dmmap, dvmap, dzip_with_vector, mmap, mmap_, vmap, vmap_, zip_with_vector, zip_with_vector_,
};
pub use matrices::{
    col, diag, eye, hcat, matrix, row, split_cols, split_rows, try_matrix, uncol, unrow, vcat,
};
pub use matrix_functions::{expm, sqrtm, try_expm, try_sqrtm};
pub use misc::{
    StaticallySized, create, diag_r, extract_m, extract_v, konst, take_diag, try_create,
};
pub use norms::{norm_0, norm_1m, norm_1v, norm_2m, norm_2v, norm_inf_m, norm_inf_v, try_norm_2m};
pub use products::{app, cross, dot, mul, outer};
pub use qr::{qr, try_qr};
pub use slogdet::{slogdet, try_slogdet};
pub use solve::{
    Triangle, chol_solve, lin_solve, lin_solve_v, triangular_solve, try_chol_solve, try_lin_solve,
    try_lin_solve_v, try_triangular_solve,
};
pub use statistics::{cov, mean, mean_cov, mean_l};
pub use structure::{m_tm, sum_elements, sym, tr, un_sym};
pub use thin_svd::{svd_flat, svd_tall, try_svd_flat, try_svd_tall};
pub use trace::trace;
pub use vectors::{
    append, dim, head_tail, linspace, range, snoc, split, try_vector, vec2, vec3, vec4, vector,
};
