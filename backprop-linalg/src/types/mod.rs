//! The value types: statically sized [`R`](vector::R), [`L`](matrix::L), [`Sym`](sym::Sym),
//! complex [`C`](complex::C), [`M`](complex::M) and Hermitian [`Her`](her::Her), and dynamically
//! sized [`Vector`](dynamic::Vector) and [`Matrix`](dynamic::Matrix).

pub mod complex;
pub mod dynamic;
pub mod her;
pub mod matrix;
pub mod sym;
pub mod vector;
