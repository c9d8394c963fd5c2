pub(crate) mod child;
pub(crate) mod collect;
pub(crate) mod realtime;
pub(crate) mod tour;
pub(crate) mod web;
