//! Kubernetes manifests: parse, default, validate with field paths, plan.
//!
//! All YAML goes through this module, in stages: the YAML front end
//! (`yaml`) builds a tree of [`node::Node`]s that remember their line and
//! column; the deserializer turns it into the raw Kubernetes types of `k8s`
//! (serde structs that mirror the v1 API), collecting every error with its
//! field path; defaults are applied as the API server would; validation
//! checks the Kubernetes rules and podinit's own limits; and the result is a
//! plan whose types cannot hold an invalid pod.

pub mod base64;
pub mod check;
pub mod de;
pub mod defaults;
pub mod diag;
pub mod emit;
pub mod expand;
pub mod fields;
pub mod k8s;
pub mod load;
pub mod node;
pub mod plan;
pub mod quantity;
pub mod support;
pub mod validate;
pub mod yaml;
