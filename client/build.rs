//! Rebuilds the crate when the committed runtime metadata changes: the `subxt` macro reads
//! `metadata/aitbc.scale`, a file cargo does not track on its own.

fn main() {
	println!("cargo:rerun-if-changed=metadata/aitbc.scale");
}
