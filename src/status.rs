//! What the pod looks like from outside: its status as Kubernetes v1
//! PodStatus ([`build`]), its events ([`events`]), the state file and the
//! control socket ([`control`]), and the kubectl-style text the CLI prints
//! from them ([`kubectl`]).

pub mod build;
pub mod control;
pub mod events;
pub mod kubectl;
pub mod model;

#[cfg(test)]
mod tests;
