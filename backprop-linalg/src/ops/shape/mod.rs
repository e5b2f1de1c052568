//! Building vectors and matrices, joining and splitting them, and changing how their size is
//! known: vectors (`vectors.rs`: [`vec2`]…, [`vector`], [`linspace`], [`append`], [`split`], …),
//! matrices (`matrices.rs`: [`row`], [`col`], [`hcat`], [`vcat`], [`eye`], [`diag`], …), a
//! matrix as rows or columns (`rows.rs`: [`to_rows`], [`from_columns`], …), and sizes
//! (`sizes.rs`: [`konst`], [`extract_v`], [`create`], …).

pub(crate) mod matrices;
mod rows;
mod sizes;
mod vectors;

pub use matrices::{
    col, diag, eye, hcat, matrix, row, split_cols, split_rows, try_matrix, uncol, unrow, vcat,
};
pub use rows::{from_columns, from_rows, to_columns, to_rows, try_from_columns, try_from_rows};
pub use sizes::{StaticallySized, create, extract_m, extract_v, konst, try_create};
pub use vectors::{
    append, dim, head_tail, linspace, range, snoc, split, try_vector, vec2, vec3, vec4, vector,
};
