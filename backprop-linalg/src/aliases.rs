//! Short names with the backend filled in, one module per backend: `faer::R<U3>` is
//! `R<U3, Faer>`. (The types at the crate root default to [`DefaultBackend`](crate::DefaultBackend).)

/// Declares the aliases of one backend.
macro_rules! backend_aliases {
    ($(#[$meta:meta])* $module:ident, $feature:literal, $backend:path) => {
        $(#[$meta])*
        #[cfg(feature = $feature)]
        pub mod $module {
            /// The backend of this module.
            pub type Backend = $backend;
            /// A real vector of length `N`.
            pub type R<N> = crate::R<N, $backend>;
            /// A real `M×N` matrix.
            pub type L<M, N> = crate::L<M, N, $backend>;
            /// A real square matrix.
            pub type Sq<N> = crate::L<N, N, $backend>;
            /// A symmetric matrix.
            pub type Sym<N> = crate::Sym<N, $backend>;
            /// A complex vector of length `N`.
            pub type C<N> = crate::C<N, $backend>;
            /// A complex `M×N` matrix.
            pub type M<Rows, Cols> = crate::M<Rows, Cols, $backend>;
            /// A Hermitian complex matrix.
            pub type Her<N> = crate::Her<N, $backend>;
            /// A real vector of run-time length.
            pub type Vector = crate::Vector<$backend>;
            /// A real matrix of run-time shape.
            pub type Matrix = crate::Matrix<$backend>;
        }
    };
}

backend_aliases!(
    /// The faer backend's aliases: `faer::L<U2, U3>`.
    faer, "faer", backprop_faer::Faer
);
backend_aliases!(
    /// The nalgebra backend's aliases: `nalgebra::L<U2, U3>`.
    nalgebra, "nalgebra", backprop_nalgebra::Nalgebra
);
backend_aliases!(
    /// The ndarray backend's aliases: `ndarray::L<U2, U3>`.
    ndarray, "ndarray", backprop_ndarray::Ndarray
);
