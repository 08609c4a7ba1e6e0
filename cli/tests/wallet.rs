//! `wallet` against a dev node, run in-process into a buffer: create, list, balance, transfer,
//! export, import, a signed call with the wallet, and the password errors.

mod common;

use aitbc_e2e::market::address;
use common::Chain;
use serde_json::Value;

#[test]
fn wallet_create_transfer_export_import() {
	let chain = Chain::start("cli-wallet");
	let ok = |args: &[&str]| chain.ok(args);

	std::env::set_var("AITBC_PASSWORD", "test password");
	let created = chain.ok_json(&["wallet", "create", "main"]);
	assert_eq!(created["operation"], "wallet.create");
	let main_address = created["address"].as_str().unwrap().to_string();
	assert_eq!(created["mnemonic"].as_str().unwrap().split(' ').count(), 12);
	assert!(ok(&["wallet", "list"]).text.contains(&main_address));
	assert_eq!(chain.ok_json(&["wallet", "list"])["wallets"][0]["address"], main_address.as_str());
	let sent = ok(&[
		"--dev",
		"--account",
		"alice",
		"wallet",
		"transfer",
		"--to",
		&main_address,
		"--amount",
		"5",
	]);
	assert!(sent.text.contains("Sent 5 AIT"), "{}", sent.text);
	let balance = chain.ok_json(&["wallet", "balance", "main"]);
	assert_eq!(balance["free"], "5000000000000");
	let back = ok(&[
		"--account",
		"main",
		"wallet",
		"transfer",
		"--to",
		&address(&chain.url, "alice"),
		"--amount",
		"1",
	]);
	assert!(back.text.contains("Sent 1 AIT"), "{}", back.text);
	let exported = ok(&["wallet", "export", "main"]);
	let keystore: Value = serde_json::from_str(&exported.text).unwrap();
	assert_eq!(keystore["encoding"]["version"], "3");
	let file = chain.dir.path().join("main.json");
	std::fs::write(&file, &exported.text).unwrap();
	let other = chain.dir.path().join("other-wallets");
	let imported = chain.run_in(
		&other,
		&["--json", "wallet", "import", "copy", "--json-file", file.to_str().unwrap()],
	);
	assert_eq!(imported.json()["address"].as_str(), Some(main_address.as_str()));
	std::env::remove_var("AITBC_PASSWORD");

	// Errors: one line, class and exit code.
	let err = chain.run(&["--account", "main", "wallet", "balance"]);
	assert_eq!(err.code, 0, "balance needs no password");
	let err = chain.run(&["--account", "main", "cancel", "1"]);
	assert_eq!(err.code, 2, "signing without AITBC_PASSWORD is a usage error");
}
