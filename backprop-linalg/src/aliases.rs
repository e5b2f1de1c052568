//! Short names with the backend filled in, one module per backend: `faer::R<U3>` is
//! `R<U3, Faer>`, and `faer::R<U3, f32>` is `R<U3, Faer<f32>>`: the last parameter is the
//! precision, `f64` unless named. (The types at the crate root default to
//! [`DefaultBackend`](crate::DefaultBackend).)

/// Declares the aliases of one backend.
macro_rules! backend_aliases {
    ($(#[$meta:meta])* $module:ident, $feature:literal, $($backend:ident)::+) => {
        $(#[$meta])*
        #[cfg(feature = $feature)]
        pub mod $module {
            /// The backend of this module, in precision `P`.
            pub type Backend<P = f64> = $($backend)::+<P>;
            /// A real vector of length `N`.
            pub type R<N, P = f64> = crate::R<N, $($backend)::+<P>>;
            /// A real `M×N` matrix.
            pub type L<M, N, P = f64> = crate::L<M, N, $($backend)::+<P>>;
            /// A real square matrix.
            pub type Sq<N, P = f64> = crate::L<N, N, $($backend)::+<P>>;
            /// A symmetric matrix.
            pub type Sym<N, P = f64> = crate::Sym<N, $($backend)::+<P>>;
            /// A complex vector of length `N`.
            pub type C<N, P = f64> = crate::C<N, $($backend)::+<P>>;
            /// A complex `M×N` matrix.
            pub type M<Rows, Cols, P = f64> = crate::M<Rows, Cols, $($backend)::+<P>>;
            /// A Hermitian complex matrix.
            pub type Her<N, P = f64> = crate::Her<N, $($backend)::+<P>>;
            /// A real vector of run-time length.
            pub type Vector<P = f64> = crate::Vector<$($backend)::+<P>>;
            /// A real matrix of run-time shape.
            pub type Matrix<P = f64> = crate::Matrix<$($backend)::+<P>>;
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
