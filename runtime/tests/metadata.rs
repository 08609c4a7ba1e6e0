//! The clients (miner, CLI) generate their types from `client/metadata/aitbc.scale`. This test
//! fails when that file no longer matches the runtime; `scripts/gen-metadata` rewrites it.

use std::path::PathBuf;

/// The metadata version the clients are generated from.
const VERSION: u32 = 16;

/// The committed file, found from the package cargo runs the test in (the build-time path may
/// name another checkout that shared the target directory).
fn committed_path() -> PathBuf {
	let package = std::env::var_os("CARGO_MANIFEST_DIR")
		.map(PathBuf::from)
		.unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
	package.join("../client/metadata/aitbc.scale")
}

#[test]
fn client_metadata_matches_runtime() {
	// Some constants (the referendum tracks, the governance periods) read the governed timing
	// from storage: empty storage gives the production values, which the file records. A node
	// serves its own chain's values.
	let current = sp_io::TestExternalities::default().execute_with(|| {
		aitbc_runtime::Runtime::metadata_at_version(VERSION)
			.expect("the runtime serves metadata V16")
			.to_vec()
	});
	let path = committed_path();
	if std::env::var_os("AITBC_WRITE_METADATA").is_some() {
		std::fs::write(&path, &current).expect("write client/metadata/aitbc.scale");
	}
	let committed = std::fs::read(&path).unwrap_or_default();
	assert!(
		committed == current,
		"client/metadata/aitbc.scale is stale against the runtime: run scripts/gen-metadata"
	);
}
