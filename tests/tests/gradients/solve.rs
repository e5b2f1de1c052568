//! Linear solves: `lin_solve`, `lin_solve_v` on invertible inputs (singular values in `[0.5,
//! 2]`), `triangular_solve` on well-conditioned triangles with garbage in the ignored one (whose
//! gradient must be exactly zero); values pinned, and the errors of singular inputs.

use backprop_linalg::Backend;
use backprop_linalg::StaticDim;
use backprop_linalg::{
    L, LinalgError, R, Sq, Triangle, chol_solve, lin_solve, lin_solve_v, slogdet, triangular_solve,
    try_chol_solve, try_lin_solve, try_lin_solve_v, try_slogdet, try_triangular_solve,
};
use backprop_tests::Double;
use backprop_tests::gradcheck::{
    assert_close, assert_fails, grad_ok, hvp_ok, invertible, lm, matrix, run, rv, triangular,
    vector,
};
use typenum::{U1, U2, U3, U4};

fn lin_solve_case<B: Backend, N: StaticDim, K: StaticDim>() {
    run((invertible::<N, B>(), matrix::<N, K, B>()), |ab| {
        grad_ok(
            |v| {
                let (a, b) = v.split();
                lin_solve(a, b)
            },
            &ab,
        )
    });
}

fn triangular_solve_case<B: Backend, N: StaticDim>(tri: Triangle) {
    run((triangular::<N, B>(tri), matrix::<N, U2, B>()), |ab| {
        grad_ok(
            |v| {
                let (a, b) = v.split();
                triangular_solve(a, b, tri)
            },
            &ab,
        )
    });
}

backprop_tests::cases! {
    fn triangular_solve_second_order<B: Backend>() {
        // Both triangles, garbage in the ignored one: Σ sin(T⁻¹B), its full Hessian in T and B.
        for tri in [Triangle::Lower, Triangle::Upper] {
            run((triangular::<U3, B>(tri), matrix::<U3, U2, B>()), |tb| {
                hvp_ok(
                    |v| {
                        let (t, b) = v.split();
                        backprop_linalg::sum_elements(triangular_solve(t, b, tri).sin())
                    },
                    &tb,
                )
            });
        }
    }
    fn lin_solve_second_order<B: Backend>() {
        // Σ sin(A⁻¹B) + Σ sin(A⁻¹b): the full Hessian in A, B and b.
        run((invertible::<U3, B>(), matrix::<U3, U2, B>(), vector::<U3, B>()), |abv| {
            hvp_ok(
                |v| {
                    let (a, b, x) = v.split();
                    let y = lin_solve(a, b).sin();
                    backprop_linalg::sum_elements(y)
                        + backprop_linalg::sum_elements(lin_solve_v(a, x).sin())
                },
                &abv,
            )
        });
    }
    fn lin_solve_2x2<B: Backend>() {
        lin_solve_case::<B, U2, U3>();
    }
    fn lin_solve_3x3<B: Backend>() {
        lin_solve_case::<B, U3, U2>();
    }
    fn lin_solve_4x4<B: Backend>() {
        lin_solve_case::<B, U4, U1>();
    }
    fn lin_solve_v_3<B: Backend>() {
        run((invertible::<U3, B>(), vector::<U3, B>()), |ab| {
            grad_ok(
                |v| {
                    let (a, b) = v.split();
                    lin_solve_v(a, b)
                },
                &ab,
            )
        });
    }
    fn lin_solve_value<B: Double>() {
        let a = Sq::<U2, B>::from_row_major(&[2.0, 1.0, 1.0, 3.0]);
        let b = R::<U2, B>::from_slice(&[3.0, 5.0]);
        let x = backprop_linalg::eval_bp2(lin_solve_v, &a, &b);
        assert_close(&x.to_vec(), &[0.8, 1.4], 1e-14);
    }
    fn triangular_solve_lower_2<B: Backend>() {
        triangular_solve_case::<B, U2>(Triangle::Lower);
    }
    fn triangular_solve_lower_3<B: Backend>() {
        triangular_solve_case::<B, U3>(Triangle::Lower);
    }
    fn triangular_solve_upper_3<B: Backend>() {
        triangular_solve_case::<B, U3>(Triangle::Upper);
    }
    fn triangular_solve_upper_4<B: Backend>() {
        triangular_solve_case::<B, U4>(Triangle::Upper);
    }
    /// The ignored triangle gets an exactly zero gradient.
    fn triangular_solve_ignores_other_triangle<B: Double>() {
        let a = Sq::<U2, B>::from_row_major(&[2.0, 7.0, 1.0, 4.0]);
        let b = L::<U2, U1, B>::from_row_major(&[2.0, 9.0]);
        let (ga, _) = backprop_linalg::grad_bp2(
            |a, b| backprop_linalg::sum_elements(triangular_solve(a, b, Triangle::Lower)),
            &a,
            &b,
        );
        assert_eq!(ga.get(0, 1), 0.0);
        let x = backprop_linalg::eval_bp2(|a, b| triangular_solve(a, b, Triangle::Lower), &a, &b);
        assert_close(&x.to_row_major(), &[1.0, 2.0], 1e-15);
    }
    fn singular_solve_errors<B: Backend>() {
        let singular = lm::<U2, U2, B>(2, 2, &[1.0, 2.0, 2.0, 4.0]);
        let b = lm::<U2, U1, B>(2, 1, &[1.0, 1.0]);
        let ab = (singular.clone(), b.clone());
        let e = LinalgError::Singular { op: "lin_solve" };
        assert_fails(
            &ab,
            &e,
            |v| try_lin_solve(v.split().0, v.split().1),
            |v| lin_solve(v.split().0, v.split().1),
        );
        let abv = (singular.clone(), rv::<U2, B>(&[1.0, 1.0]));
        assert_fails(
            &abv,
            &e,
            |v| try_lin_solve_v(v.split().0, v.split().1),
            |v| lin_solve_v(v.split().0, v.split().1),
        );
        let e = LinalgError::Singular { op: "slogdet" };
        assert_fails(&singular, &e, try_slogdet, slogdet);
        let zero_diag = lm::<U2, U2, B>(2, 2, &[1.0, 5.0, 3.0, 0.0]);
        let tb = (zero_diag, b);
        let e = LinalgError::Singular {
            op: "triangular_solve",
        };
        let lower = Triangle::Lower;
        assert_fails(
            &tb,
            &e,
            |v| try_triangular_solve(v.split().0, v.split().1, lower),
            |v| triangular_solve(v.split().0, v.split().1, lower),
        );
        let e = LinalgError::Singular { op: "chol_solve" };
        assert_fails(
            &tb,
            &e,
            |v| try_chol_solve(v.split().0, v.split().1),
            |v| chol_solve(v.split().0, v.split().1),
        );
    }
}
