//! Reads rewritten HTML with html5ever, as a browser with scripting disabled does: the attributes the engine
//! wrote, as the browser will see them (character references decoded, duplicates dropped).

use html5ever::tendril::TendrilSink;
use html5ever::{parse_document, ParseOpts};
use markup5ever_rcdom::{Handle, NodeData, RcDom};

/// (element, attribute, value) for every attribute named in `names`, in document order, `<template>` contents
/// included.
pub fn attributes(html: &[u8], names: &[&str]) -> Vec<(String, String, String)> {
    let mut opts = ParseOpts::default();
    opts.tree_builder.scripting_enabled = false;
    let dom = parse_document(RcDom::default(), opts).from_utf8().one(html);
    let mut found = Vec::new();
    walk(&dom.document, names, &mut found);
    found
}

fn walk(node: &Handle, names: &[&str], found: &mut Vec<(String, String, String)>) {
    if let NodeData::Element { name, attrs, template_contents, .. } = &node.data {
        for a in attrs.borrow().iter() {
            if names.contains(&&*a.name.local) {
                found.push((name.local.to_string(), a.name.local.to_string(), a.value.to_string()));
            }
        }
        if let Some(contents) = template_contents.borrow().as_ref() {
            walk(contents, names, found);
        }
    }
    for child in node.children.borrow().iter() {
        walk(child, names, found);
    }
}
