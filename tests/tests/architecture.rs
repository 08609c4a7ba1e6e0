//! The dependency rules of `pallets/README.md`, checked on the workspace's manifests with
//! `cargo metadata` (normal dependencies; tests may use more):
//!
//! - no crate under `pallets/` depends on a marketplace pallet crate (`pallet-aitbc-*`): they
//!   meet through `aitbc-traits`;
//! - the node depends on no pallet crate (only on `*-rpc` crates of FRAME pallets, such as
//!   `pallet-transaction-payment-rpc`);
//! - the CLI, the miner, the gateway and the client they share depend, even indirectly, on no
//!   runtime and no pallet crate.

use std::{
	collections::{BTreeMap, BTreeSet},
	path::Path,
	process::Command,
};

use serde_json::Value;

/// Workspace packages: name → (manifest directory, normal dependencies).
fn workspace() -> BTreeMap<String, (String, Vec<String>)> {
	let root = aitbc_e2e::harness::repo_root();
	let output = Command::new(env!("CARGO"))
		.args(["metadata", "--format-version", "1", "--no-deps", "--offline"])
		.current_dir(&root)
		.output()
		.expect("cargo metadata runs");
	assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
	let metadata: Value = serde_json::from_slice(&output.stdout).expect("metadata is JSON");
	let root = root.canonicalize().expect("the workspace root exists");
	metadata["packages"]
		.as_array()
		.expect("packages")
		.iter()
		.map(|package| {
			let manifest = Path::new(package["manifest_path"].as_str().expect("manifest path"));
			let dir = manifest.parent().expect("a manifest's folder");
			let dir = dir.strip_prefix(&root).unwrap_or(dir).to_string_lossy().into_owned();
			let deps = package["dependencies"]
				.as_array()
				.expect("dependencies")
				.iter()
				.filter(|d| d["kind"].is_null())
				.map(|d| d["name"].as_str().expect("dependency name").to_string())
				.collect();
			(package["name"].as_str().expect("name").to_string(), (dir, deps))
		})
		.collect()
}

/// The names of everything `name` depends on through workspace crates (normal dependencies):
/// the workspace crates it reaches and their direct dependencies.
fn closure(packages: &BTreeMap<String, (String, Vec<String>)>, name: &str) -> BTreeSet<String> {
	let mut seen = BTreeSet::new();
	let mut todo = vec![name.to_string()];
	while let Some(next) = todo.pop() {
		if !seen.insert(next.clone()) {
			continue;
		}
		if let Some((_, deps)) = packages.get(&next) {
			todo.extend(deps.iter().cloned());
		}
	}
	seen
}

#[test]
fn pallets_meet_only_through_the_traits_crate() {
	let packages = workspace();
	let under_pallets: Vec<_> =
		packages.iter().filter(|(_, (dir, _))| dir.starts_with("pallets/")).collect();
	assert!(under_pallets.len() >= 8, "the pallets/ crates are found: {under_pallets:?}");
	for (name, (_, deps)) in under_pallets {
		let pallets: Vec<_> = deps.iter().filter(|d| d.starts_with("pallet-aitbc-")).collect();
		assert!(pallets.is_empty(), "{name} depends on marketplace pallets {pallets:?}");
	}
}

#[test]
fn the_node_depends_on_no_pallet_crate() {
	let packages = workspace();
	let (_, deps) = &packages["aitbc-node"];
	let pallets: Vec<_> =
		deps.iter().filter(|d| d.starts_with("pallet-") && !d.ends_with("-rpc")).collect();
	assert!(pallets.is_empty(), "aitbc-node depends on pallet crates {pallets:?}");
	assert!(deps.contains(&"aitbc-rpc".to_string()), "the node serves aitbc_* from aitbc-rpc");
}

#[test]
fn clients_depend_on_no_runtime_or_pallet_crate() {
	let packages = workspace();
	for client in ["aitbc-cli", "aitbc-miner", "aitbc-gateway", "aitbc-client"] {
		let reached = closure(&packages, client);
		let chain_side: Vec<_> = reached
			.iter()
			.filter(|d| {
				d.starts_with("pallet-") || *d == "aitbc-runtime" || *d == "aitbc-runtime-api"
			})
			.collect();
		assert!(chain_side.is_empty(), "{client} reaches {chain_side:?}");
	}
}
