//! `aitbc-node`: the AITBC validator node.

fn main() -> sc_cli::Result<()> {
	aitbc_node::command::run()
}
