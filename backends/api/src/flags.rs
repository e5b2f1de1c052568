//! Small flag types passed to products and triangular solves.

/// Which form of a matrix operand a product or solve uses, without materialising it.
///
/// `op(A)` is `A`, `Aᵀ` or `Aᴴ` (conjugate transpose). For real scalars `Adjoint` equals
/// `Transpose`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Transpose {
    /// `op(A) = A`.
    #[default]
    No,
    /// `op(A) = Aᵀ`.
    Yes,
    /// `op(A) = Aᴴ`, the conjugate transpose.
    Adjoint,
}

impl Transpose {
    /// The shape of `op(A)` for `A` of shape `(rows, cols)`.
    #[must_use]
    pub fn apply_shape(self, (rows, cols): (usize, usize)) -> (usize, usize) {
        match self {
            Self::No => (rows, cols),
            Self::Yes | Self::Adjoint => (cols, rows),
        }
    }

    /// True for `Yes` and `Adjoint`.
    #[must_use]
    pub fn is_transposed(self) -> bool {
        !matches!(self, Self::No)
    }

    /// True for `Adjoint`.
    #[must_use]
    pub fn is_conjugated(self) -> bool {
        matches!(self, Self::Adjoint)
    }
}

/// Which triangle of a matrix a triangular solve reads; the other triangle is ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Triangle {
    /// The lower triangle, diagonal included.
    Lower,
    /// The upper triangle, diagonal included.
    Upper,
}
