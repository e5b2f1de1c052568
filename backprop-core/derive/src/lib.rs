//! Derive macros for `backprop-core`: `#[derive(Backprop)]` and `#[derive(Coords)]`.
//!
//! Use them through `backprop_core` (or `backprop_linalg`), which re-export them.
//!
//! `#[derive(Backprop)]` on a struct `Net` with fields `w1, b1, ...` generates:
//! - `impl Backprop for Net`, field by field (`zero`, `add`, `one`, `add_assign`);
//! - a companion struct `NetVars<'t>` with one `BVar<'t, _>` per field, of the same visibility;
//! - `impl Split for Net` with `Vars<'t> = NetVars<'t>`, so `let NetVars { w1, b1, .. } =
//!   net.split();` hands out the fields as variables, and `impl Join for NetVars`, so
//!   `NetVars { w1, b1 }.join()` puts them back.
//!
//! Generic structs get the derived trait as a bound on every field type that mentions a type
//! parameter, so a parameter may be a non-gradient marker such as a linear-algebra backend. The path of the runtime crate is found from `Cargo.toml`
//! (`backprop-core`, else `backprop-linalg`); override it with `#[backprop(crate = "path")]`.

use proc_macro::TokenStream;
use proc_macro_crate::{FoundCrate, crate_name};
use proc_macro2::{Span, TokenStream as TokenStream2};
use quote::{format_ident, quote};
use syn::{
    Data, DeriveInput, Fields, GenericParam, Generics, Ident, Index, Member, Path, Type,
    parse_macro_input, parse_quote,
};

/// Derives `Backprop` and `Split` (with a `…Vars` companion struct). See the crate docs.
#[proc_macro_derive(Backprop, attributes(backprop))]
pub fn derive_backprop(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand_backprop(&input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Derives `Coords`, so the gradient checker can perturb the type. See the crate docs.
#[proc_macro_derive(Coords, attributes(backprop))]
pub fn derive_coords(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand_coords(&input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// The parts of a struct the expansions need.
struct StructInfo<'a> {
    input: &'a DeriveInput,
    krate: Path,
    /// `self.x` / `self.0` accessors, in declaration order.
    members: Vec<Member>,
    types: Vec<&'a Type>,
    named: bool,
}

impl<'a> StructInfo<'a> {
    fn new(input: &'a DeriveInput, derive: &str) -> syn::Result<Self> {
        let Data::Struct(data) = &input.data else {
            return Err(syn::Error::new_spanned(
                &input.ident,
                format!("#[derive({derive})] supports structs only"),
            ));
        };
        let (named, fields): (bool, Vec<&syn::Field>) = match &data.fields {
            Fields::Named(f) => (true, f.named.iter().collect()),
            Fields::Unnamed(f) => (false, f.unnamed.iter().collect()),
            Fields::Unit => (true, Vec::new()),
        };
        let members = fields
            .iter()
            .enumerate()
            .map(|(i, f)| match &f.ident {
                Some(id) => Member::Named(id.clone()),
                None => Member::Unnamed(Index::from(i)),
            })
            .collect();
        Ok(StructInfo {
            input,
            krate: crate_path(input)?,
            members,
            types: fields.iter().map(|f| &f.ty).collect(),
            named,
        })
    }

    /// `Name { a: e0, b: e1 }` or `Name(e0, e1)` from one expression per field.
    fn construct(&self, name: &Ident, exprs: &[TokenStream2]) -> TokenStream2 {
        let members = &self.members;
        if self.named {
            quote!(#name { #(#members: #exprs),* })
        } else {
            quote!(#name ( #(#exprs),* ))
        }
    }

    /// The struct's generics with `FieldType: bound` for every field type that mentions a type
    /// parameter, and `T: Clone + 'static` for every type parameter `T` (what a derived `Clone`
    /// of the struct needs, so the supertrait holds). Bounding field types rather than
    /// parameters lets a parameter be something that is not itself a gradient, such as a
    /// backend marker (`Net<B: Backend> { w: L<U3, U2, B> }`).
    fn bounded_generics(&self, bound: &Path) -> Generics {
        let params: Vec<Ident> = self
            .input
            .generics
            .type_params()
            .map(|p| p.ident.clone())
            .collect();
        let mut generics = self.input.generics.clone();
        for param in generics.type_params_mut() {
            param.bounds.push(parse_quote!(::core::clone::Clone));
            param.bounds.push(parse_quote!('static));
        }
        let where_clause = generics.make_where_clause();
        for ty in &self.types {
            if mentions_any(ty, &params) {
                where_clause.predicates.push(parse_quote!(#ty: #bound));
            }
        }
        generics
    }
}

/// Whether `ty` names any of `params` (as a path segment anywhere inside it).
fn mentions_any(ty: &Type, params: &[Ident]) -> bool {
    fn walk(tokens: proc_macro2::TokenStream, params: &[Ident]) -> bool {
        tokens.into_iter().any(|t| match t {
            proc_macro2::TokenTree::Ident(id) => params.contains(&id),
            proc_macro2::TokenTree::Group(g) => walk(g.stream(), params),
            _ => false,
        })
    }
    walk(quote!(#ty), params)
}

fn crate_path(input: &DeriveInput) -> syn::Result<Path> {
    for attr in &input.attrs {
        if attr.path().is_ident("backprop") {
            let mut found = None;
            attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("crate") {
                    let lit: syn::LitStr = meta.value()?.parse()?;
                    found = Some(lit.parse::<Path>()?);
                    Ok(())
                } else {
                    Err(meta.error("expected `crate = \"path\"`"))
                }
            })?;
            if let Some(path) = found {
                return Ok(path);
            }
        }
    }
    let found = crate_name("backprop-core")
        .map(|f| (f, "backprop_core"))
        .or_else(|_| crate_name("backprop-linalg").map(|f| (f, "backprop_linalg")));
    let name = match found {
        // Inside backprop-core itself, `extern crate self as backprop_core` makes this work.
        Ok((FoundCrate::Itself, own)) => own.to_string(),
        Ok((FoundCrate::Name(name), _)) => name,
        Err(_) => "backprop_core".to_string(),
    };
    let ident = Ident::new(&name, Span::call_site());
    Ok(parse_quote!(::#ident))
}

fn expand_backprop(input: &DeriveInput) -> syn::Result<TokenStream2> {
    let info = StructInfo::new(input, "Backprop")?;
    let krate = &info.krate;
    let name = &input.ident;
    let bound: Path = parse_quote!(#krate::Backprop);
    let generics = info.bounded_generics(&bound);
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
    let members = &info.members;

    let per_field = |f: &dyn Fn(&Member) -> TokenStream2| -> Vec<TokenStream2> {
        members.iter().map(f).collect()
    };
    let zero = info.construct(
        name,
        &per_field(&|m| quote!(#krate::Backprop::zero(&self.#m))),
    );
    let one = info.construct(
        name,
        &per_field(&|m| quote!(#krate::Backprop::one(&self.#m))),
    );
    let add = info.construct(
        name,
        &per_field(&|m| quote!(#krate::Backprop::add(self.#m, rhs.#m))),
    );
    let backprop_impl = quote! {
        #[automatically_derived]
        impl #impl_generics #krate::Backprop for #name #ty_generics #where_clause {
            fn zero(&self) -> Self { #zero }
            fn add(self, rhs: Self) -> Self { #add }
            fn one(&self) -> Self { #one }
            #[allow(unused_variables)]
            fn add_assign(&mut self, rhs: Self) {
                #(#krate::Backprop::add_assign(&mut self.#members, rhs.#members);)*
            }
        }
    };
    if members.is_empty() {
        // Nothing to split: a field-less struct has no tape to join on.
        return Ok(backprop_impl);
    }
    let split_impl = expand_split(&info, &generics)?;
    Ok(quote!(#backprop_impl #split_impl))
}

fn expand_split(info: &StructInfo<'_>, generics: &Generics) -> syn::Result<TokenStream2> {
    let krate = &info.krate;
    let input = info.input;
    let name = &input.ident;
    let vars_name = format_ident!("{}Vars", name);
    let vis = &input.vis;
    let members = &info.members;
    let types = &info.types;
    let count = members.len();
    let indices: Vec<Index> = (0..count).map(Index::from).collect();
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();

    // The companion struct: the struct's own parameters, bounds and where clause, after 't
    // (its field types may need them to be well-formed).
    let params = &input.generics.params;
    let vars_where = &input.generics.where_clause;
    let args: Vec<TokenStream2> = input
        .generics
        .params
        .iter()
        .map(|p| match p {
            GenericParam::Type(t) => {
                let id = &t.ident;
                quote!(#id)
            }
            GenericParam::Const(c) => {
                let id = &c.ident;
                quote!(#id)
            }
            GenericParam::Lifetime(l) => {
                let lt = &l.lifetime;
                quote!(#lt)
            }
        })
        .collect();
    let field_vis: Vec<&syn::Visibility> = match &input.data {
        Data::Struct(s) => s.fields.iter().map(|f| &f.vis).collect(),
        _ => unreachable!("checked in StructInfo::new"),
    };
    let doc = format!(
        "One [`BVar`]({krate}::BVar) per field of [`{name}`]: what `split()` on a `BVar<{name}>` \
         returns, and what `Split::join` takes.",
        krate = quote!(#krate).to_string().replace(' ', "")
    );
    let vars_struct = if info.named {
        quote! {
            #[doc = #doc]
            #[allow(missing_docs)]
            #vis struct #vars_name<'t, #params> #vars_where {
                #(#field_vis #members: #krate::BVar<'t, #types>),*
            }
        }
    } else {
        quote! {
            #[doc = #doc]
            #[allow(missing_docs)]
            #vis struct #vars_name<'t, #params> (
                #(#field_vis #krate::BVar<'t, #types>),*
            ) #vars_where;
        }
    };
    let vars_ty = quote!(#vars_name<'t, #(#args),*>);

    let make = info.construct(
        &vars_name,
        &members
            .iter()
            .map(|m| quote!(f.field(|s| &s.#m)))
            .collect::<Vec<_>>(),
    );
    let gather = info.construct(
        name,
        &members
            .iter()
            .zip(&indices)
            .map(|(m, i)| quote!(g.take(#i, &s.#m)))
            .collect::<Vec<_>>(),
    );
    let var_idents: Vec<Ident> = (0..count).map(|i| format_ident!("__v{}", i)).collect();
    let grad_idents: Vec<Ident> = (0..count).map(|i| format_ident!("__g{}", i)).collect();
    let destructure_vars = if info.named {
        quote!(#vars_name { #(#members: #var_idents),* })
    } else {
        quote!(#vars_name ( #(#var_idents),* ))
    };
    let destructure_grad = if info.named {
        quote!(#name { #(#members: #grad_idents),* })
    } else {
        quote!(#name ( #(#grad_idents),* ))
    };
    let value = info.construct(
        name,
        &var_idents
            .iter()
            .map(|v| quote!(::core::clone::Clone::clone(#v.value())))
            .collect::<Vec<_>>(),
    );
    let first = &var_idents[0];

    let mut join_generics = generics.clone();
    join_generics.params.insert(0, parse_quote!('t));
    let (join_impl_generics, _, join_where) = join_generics.split_for_impl();

    Ok(quote! {
        #vars_struct

        #[automatically_derived]
        impl #join_impl_generics #krate::Join<'t> for #vars_ty #join_where {
            type Whole = #name #ty_generics;
            fn join(self) -> #krate::BVar<'t, Self::Whole> {
                <#name #ty_generics as #krate::Split>::join(self)
            }
        }

        #[automatically_derived]
        impl #impl_generics #krate::Split for #name #ty_generics #where_clause {
            type Vars<'t> = #vars_ty;

            fn split<'t>(var: #krate::BVar<'t, Self>) -> Self::Vars<'t> {
                var.fields(#count, |f| #make, |g, s| #gather)
            }

            fn join<'t>(vars: Self::Vars<'t>) -> #krate::BVar<'t, Self> {
                let #destructure_vars = vars;
                let requires_grad = false #(|| #var_idents.requires_grad())*;
                let ids = (#(#var_idents.id(),)*);
                let value = #value;
                #first.tape().record(value, requires_grad, move |ctx, _, grad: Self| {
                    let #destructure_grad = grad;
                    #(ctx.add(ids.#indices, #grad_idents);)*
                })
            }
        }
    })
}

fn expand_coords(input: &DeriveInput) -> syn::Result<TokenStream2> {
    let info = StructInfo::new(input, "Coords")?;
    let krate = &info.krate;
    let name = &input.ident;
    let bound: Path = parse_quote!(#krate::Coords);
    let generics = info.bounded_generics(&bound);
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
    let members = &info.members;
    let types = &info.types;
    let read = info.construct(
        name,
        &members
            .iter()
            .map(|m| quote!(#krate::Coords::read_coords(&self.#m, coords)))
            .collect::<Vec<_>>(),
    );
    Ok(quote! {
        #[automatically_derived]
        impl #impl_generics #krate::Coords for #name #ty_generics #where_clause {
            #[allow(unused_variables)]
            fn write_coords(&self, out: &mut ::std::vec::Vec<f64>) {
                #(#krate::Coords::write_coords(&self.#members, out);)*
            }
            #[allow(unused_variables)]
            fn read_coords(&self, coords: &mut &[f64]) -> Self {
                #read
            }
            fn coord_epsilon() -> f64 {
                f64::EPSILON #(.max(<#types as #krate::Coords>::coord_epsilon()))*
            }
        }
    })
}
