//! Gradient suite, products and structure: every case checked on every backend with the core
//! gradient checker (random cotangents on every output, random directions, central differences,
//! rtol 1e-6; full Jacobian for small inputs). Shapes are hmatrix-backprop's own (3×2, 2×3, 3×3)
//! plus shapes where its choice hid bugs (5×2, 3×4).

use backprop_linalg::{
    Backend, Join, L, R, Sym, add_to_cols, affine, affine_cols, app, cross, dot, m_tm, mul, outer,
    sum_elements, sym, tr, un_sym,
};
use backprop_tests::gradcheck::{grad_ok, matrix, run, same_as, symmetric, vector};
use typenum::{U2, U3, U4, U5, Unsigned};

fn mul_case<B: Backend, M: Unsigned + 'static, K: Unsigned + 'static, N: Unsigned + 'static>() {
    run((matrix::<M, K, B>(), matrix::<K, N, B>()), |ab| {
        grad_ok(
            |v| {
                let (a, b) = v.split();
                mul(a, b)
            },
            &ab,
        )
    });
}

fn app_case<B: Backend, M: Unsigned + 'static, N: Unsigned + 'static>() {
    run((matrix::<M, N, B>(), vector::<N, B>()), |ax| {
        grad_ok(
            |v| {
                let (a, x) = v.split();
                app(a, x)
            },
            &ax,
        )
    });
}

fn add_to_cols_case<B: Backend, M: Unsigned + 'static, N: Unsigned + 'static>() {
    run((matrix::<M, N, B>(), vector::<M, B>()), |mv| {
        grad_ok(
            |v| {
                let (m, v) = v.split();
                add_to_cols(m, v)
            },
            &mv,
        )
    });
}

fn outer_case<B: Backend, M: Unsigned + 'static, N: Unsigned + 'static>() {
    run((vector::<M, B>(), vector::<N, B>()), |xy| {
        grad_ok(
            |v| {
                let (x, y) = v.split();
                outer(x, y)
            },
            &xy,
        )
    });
}

/// Generic cases; each is instantiated once per backend below.
mod cases {
    use super::*;

    pub fn mul_3x2_2x3<B: Backend>() {
        mul_case::<B, U3, U2, U3>();
    }
    pub fn mul_5x2_2x4<B: Backend>() {
        mul_case::<B, U5, U2, U4>();
    }
    pub fn mul_same_matrix_twice<B: Backend>() {
        // A·A accumulates both contributions into one gradient.
        run(matrix::<U3, U3, B>(), |a| grad_ok(|a| mul(a, a), &a));
    }
    pub fn app_3x2<B: Backend>() {
        app_case::<B, U3, U2>();
    }
    pub fn app_3x4<B: Backend>() {
        app_case::<B, U3, U4>();
    }
    pub fn dot<B: Backend>() {
        run((vector::<U3, B>(), vector::<U3, B>()), |xy| {
            grad_ok(
                |v| {
                    let (x, y) = v.split();
                    super::dot(x, y)
                },
                &xy,
            )
        });
    }
    pub fn outer_3x2<B: Backend>() {
        outer_case::<B, U3, U2>();
    }
    pub fn outer_2x5<B: Backend>() {
        outer_case::<B, U2, U5>();
    }
    pub fn add_to_cols_3x2<B: Backend>() {
        add_to_cols_case::<B, U3, U2>();
    }
    pub fn add_to_cols_2x5<B: Backend>() {
        add_to_cols_case::<B, U2, U5>();
    }
    pub fn add_to_cols_is_m_plus_outer<B: Backend>() {
        run((matrix::<U3, U4, B>(), vector::<U3, B>()), |mv| {
            same_as(
                |p| {
                    let (m, v) = p.split();
                    add_to_cols(m, v)
                },
                |p| {
                    let (m, v) = p.split();
                    m + outer(v, p.tape().constant(R::konst(1.0)))
                },
                &mv,
            )
        });
    }
    pub fn affine_3x2<B: Backend>() {
        run(
            (matrix::<U3, U2, B>(), vector::<U2, B>(), vector::<U3, B>()),
            |wxb| {
                grad_ok(
                    |p| {
                        let (w, x, b) = p.split();
                        affine(w, x, b)
                    },
                    &wxb,
                )
            },
        );
    }
    pub fn affine_is_app_plus<B: Backend>() {
        run(
            (matrix::<U3, U4, B>(), vector::<U4, B>(), vector::<U3, B>()),
            |wxb| {
                same_as(
                    |p| {
                        let (w, x, b) = p.split();
                        affine(w, x, b)
                    },
                    |p| {
                        let (w, x, b) = p.split();
                        app(w, x) + b
                    },
                    &wxb,
                )
            },
        );
    }
    pub fn affine_cols_3x2x4<B: Backend>() {
        run(
            (
                matrix::<U3, U2, B>(),
                matrix::<U2, U4, B>(),
                vector::<U3, B>(),
            ),
            |wxb| {
                grad_ok(
                    |p| {
                        let (w, x, b) = p.split();
                        affine_cols(w, x, b)
                    },
                    &wxb,
                )
            },
        );
    }
    pub fn affine_cols_is_mul_plus_outer<B: Backend>() {
        run(
            (
                matrix::<U2, U3, B>(),
                matrix::<U3, U5, B>(),
                vector::<U2, B>(),
            ),
            |wxb| {
                same_as(
                    |p| {
                        let (w, x, b) = p.split();
                        affine_cols(w, x, b)
                    },
                    |p| {
                        let (w, x, b) = p.split();
                        mul(w, x) + outer(b, p.tape().constant(R::konst(1.0)))
                    },
                    &wxb,
                )
            },
        );
    }
    pub fn cross<B: Backend>() {
        run((vector::<U3, B>(), vector::<U3, B>()), |xy| {
            grad_ok(
                |v| {
                    let (x, y) = v.split();
                    super::cross(x, y)
                },
                &xy,
            )
        });
    }
    pub fn tr_3x2<B: Backend>() {
        run(matrix::<U3, U2, B>(), |a| grad_ok(tr, &a));
    }
    pub fn sym<B: Backend>() {
        run(matrix::<U3, U3, B>(), |a| grad_ok(super::sym, &a));
    }
    pub fn un_sym<B: Backend>() {
        run(symmetric::<U3, B>(), |a| grad_ok(super::un_sym, &a));
    }
    pub fn m_tm_3x2<B: Backend>() {
        run(matrix::<U3, U2, B>(), |x| grad_ok(m_tm, &x));
    }
    pub fn m_tm_5x2<B: Backend>() {
        run(matrix::<U5, U2, B>(), |x| grad_ok(m_tm, &x));
    }
    /// Regression (hmatrix-backprop): `mTm` followed by `unSym` and a non-symmetric consumer.
    /// The original's `2·X·D` is wrong when `D` is not symmetric; the checker's random
    /// cotangent on the square output makes it non-symmetric.
    pub fn m_tm_then_un_sym_regression<B: Backend>() {
        run((matrix::<U4, U3, B>(), matrix::<U3, U3, B>()), |xc| {
            grad_ok(
                |v| {
                    let (x, c) = v.split();
                    mul(super::un_sym(m_tm(x)), c)
                },
                &xc,
            )
        });
    }
    pub fn sum_elements_vector<B: Backend>() {
        run(vector::<U4, B>(), |x| grad_ok(sum_elements, &x));
    }
    pub fn sum_elements_matrix<B: Backend>() {
        run(matrix::<U3, U2, B>(), |x| grad_ok(sum_elements, &x));
    }
    pub fn elementwise_arithmetic<B: Backend>() {
        run((matrix::<U3, U2, B>(), matrix::<U3, U2, B>()), |ab| {
            grad_ok(
                |v| {
                    let (a, b) = v.split();
                    (a * b + a - b, (a.tanh() * b.sin()).exp()).join()
                },
                &ab,
            )
        });
    }
    pub fn sym_input_gradient_is_symmetric<B: Backend>() {
        run((symmetric::<U3, B>(), matrix::<U3, U3, B>()), |(s, c)| {
            let g = backprop_linalg::grad_bp(
                |s: backprop_linalg::BVar<'_, Sym<U3, B>>| {
                    sum_elements(mul(super::un_sym(s), s.tape().constant(c.clone())))
                },
                &s,
            );
            let t = g.to_sq();
            for i in 0..3 {
                for j in 0..3 {
                    proptest::prop_assert!((t.get(i, j) - t.get(j, i)).abs() < 1e-12);
                }
            }
            let _: &L<U3, U3, B> = &t;
            Ok(())
        });
    }
}

backprop_tests::per_backend!(
    mul_3x2_2x3,
    mul_5x2_2x4,
    mul_same_matrix_twice,
    app_3x2,
    app_3x4,
    dot,
    outer_3x2,
    outer_2x5,
    add_to_cols_3x2,
    add_to_cols_2x5,
    add_to_cols_is_m_plus_outer,
    affine_3x2,
    affine_is_app_plus,
    affine_cols_3x2x4,
    affine_cols_is_mul_plus_outer,
    cross,
    tr_3x2,
    sym,
    un_sym,
    m_tm_3x2,
    m_tm_5x2,
    m_tm_then_un_sym_regression,
    sum_elements_vector,
    sum_elements_matrix,
    elementwise_arithmetic,
    sym_input_gradient_is_symmetric,
);
