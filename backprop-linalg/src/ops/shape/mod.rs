//! Building vectors and matrices, joining and splitting them, and changing how their size is
//! known: vectors (`vectors.rs`: [`vec2`]…, [`vector`], [`linspace`], [`append`], [`split`], …),
//! matrices (`matrices.rs`: [`row`], [`col`], [`hcat`], [`vcat`], [`eye`], [`diag`], …), a
//! matrix as rows or columns (`rows.rs`: [`to_rows`], [`from_columns`], …), and sizes
//! (`sizes.rs`: [`konst`], [`extract_v`], [`create`], …).

pub(crate) mod matrices;

pub(crate) use matrices::diag_of;
mod rows;
mod sizes;
mod vectors;

pub use matrices::{
    col, diag, eye, hcat, matrix, row, split_cols, split_cols_at, split_rows, split_rows_at,
    try_hcat, try_matrix, try_matrix_shape, try_split_cols, try_split_cols_at, try_split_rows,
    try_split_rows_at, try_vcat, uncol, unrow, vcat,
};
pub use rows::{from_columns, from_rows, to_columns, to_rows, try_from_columns, try_from_rows};
pub use sizes::{StaticallySized, create, extract_m, extract_v, konst, try_create};
pub use vectors::{
    append, dim, head_tail, linspace, linspace_n, range, snoc, split, split_at, try_head_tail,
    try_split, try_split_at, try_vector, vec2, vec3, vec4, vector,
};
