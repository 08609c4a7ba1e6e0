//! `aitbc wallet create|import|list|balance|transfer|export`.

use std::{io::Write, path::PathBuf};

use aitbc_client::{
	runtime,
	units::{format_ait, parse_ait},
};
use clap::Subcommand;
use serde_json::json;

use crate::{context::dev_key, output, CliError, Ctx};

/// Wallet actions.
#[derive(Subcommand, Debug)]
pub enum WalletAction {
	/// Create a wallet from a new 12-word mnemonic (shown once: write it down).
	Create {
		/// Wallet name.
		name: String,
	},
	/// Import a polkadot-js JSON export (--json-file) or a mnemonic (--mnemonic-file, `-` for stdin).
	Import {
		/// Wallet name.
		name: String,
		/// polkadot-js JSON keystore export.
		#[arg(long, conflicts_with = "mnemonic_file", required_unless_present = "mnemonic_file")]
		json_file: Option<PathBuf>,
		/// File with a BIP-39 mnemonic.
		#[arg(long)]
		mnemonic_file: Option<PathBuf>,
	},
	/// Wallets and their addresses.
	List,
	/// Free and reserved balance of a wallet, dev account or address [default: --account].
	Balance {
		/// Wallet name, address, or with --dev a dev account.
		who: Option<String>,
	},
	/// Send AIT from --account.
	Transfer {
		/// Recipient: address, wallet name, or with --dev a dev account.
		#[arg(long)]
		to: String,
		/// Amount in AIT.
		#[arg(long)]
		amount: String,
	},
	/// Print a wallet's polkadot-js JSON (importable in polkadot-js apps).
	Export {
		/// Wallet name.
		name: String,
	},
}

/// The JSON `operation`.
pub fn operation(action: &WalletAction) -> &'static str {
	match action {
		WalletAction::Create { .. } => "wallet.create",
		WalletAction::Import { .. } => "wallet.import",
		WalletAction::List => "wallet.list",
		WalletAction::Balance { .. } => "wallet.balance",
		WalletAction::Transfer { .. } => "wallet.transfer",
		WalletAction::Export { .. } => "wallet.export",
	}
}

/// Resolves an account given as an address, a wallet name or (with --dev) a dev name.
fn resolve(ctx: &Ctx, who: &str) -> Result<aitbc_client::AccountId, CliError> {
	if let Ok(account) = aitbc_client::parse_account(who) {
		return Ok(account);
	}
	if ctx.dev {
		return Ok(dev_key(who)?.account());
	}
	let address = ctx.keystore().address(who)?;
	Ok(aitbc_client::parse_account(&address)?)
}

/// Runs a wallet action.
pub async fn run(ctx: &Ctx, action: WalletAction, out: &mut impl Write) -> Result<(), CliError> {
	let store = ctx.keystore();
	match action {
		WalletAction::Create { name } => {
			let (entry, phrase) = store.create(&name, &ctx.password()?)?;
			let object = json!({
				"operation": "wallet.create",
				"name": entry.name,
				"address": entry.address,
				"mnemonic": phrase,
			});
			output::emit(ctx, out, object, |out| {
				writeln!(out, "Created wallet `{}`: {}", entry.name, entry.address)?;
				writeln!(out, "Mnemonic (shown once; write it down): {phrase}")
			})
		}
		WalletAction::Import { name, json_file, mnemonic_file } => {
			let password = ctx.password()?;
			let entry = match (json_file, mnemonic_file) {
				(Some(path), _) => {
					let json = std::fs::read_to_string(&path).map_err(|e| {
						CliError::usage(format!("cannot read {}: {e}", path.display()))
					})?;
					store.import_json(&name, &json, &password)?
				}
				(None, Some(path)) => {
					let phrase = if path.as_os_str() == "-" {
						let mut text = String::new();
						std::io::stdin()
							.read_line(&mut text)
							.map_err(|e| CliError::usage(format!("cannot read stdin: {e}")))?;
						text
					} else {
						std::fs::read_to_string(&path).map_err(|e| {
							CliError::usage(format!("cannot read {}: {e}", path.display()))
						})?
					};
					store.import_mnemonic(&name, &phrase, &password)?
				}
				(None, None) => return Err(CliError::usage("give --json-file or --mnemonic-file")),
			};
			let object = json!({ "operation": "wallet.import", "name": entry.name, "address": entry.address });
			output::emit(ctx, out, object, |out| {
				writeln!(out, "Imported wallet `{}`: {}", entry.name, entry.address)
			})
		}
		WalletAction::List => {
			let wallets = store.list()?;
			let list: Vec<_> =
				wallets.iter().map(|w| json!({ "name": w.name, "address": w.address })).collect();
			let object = json!({ "operation": "wallet.list", "wallets": list });
			output::emit(ctx, out, object, |out| {
				if wallets.is_empty() {
					return writeln!(out, "No wallets in {}.", ctx.wallet_dir.display());
				}
				for w in &wallets {
					writeln!(out, "{:<20} {}", w.name, w.address)?;
				}
				Ok(())
			})
		}
		WalletAction::Balance { who } => {
			let who = who.or_else(|| ctx.account.clone()).ok_or_else(|| {
				CliError::usage("whose balance? give a wallet name or address, or --account")
			})?;
			let account = resolve(ctx, &who)?;
			let chain = ctx.chain().await?;
			let (free, reserved) = chain.account_info(&account).await?;
			let address = aitbc_client::address(&account);
			let object = json!({
				"operation": "wallet.balance",
				"address": address,
				"free": free.to_string(),
				"reserved": reserved.to_string(),
			});
			output::emit(ctx, out, object, |out| {
				writeln!(
					out,
					"{address}: {} free, {} reserved or held",
					format_ait(free),
					format_ait(reserved)
				)
			})
		}
		WalletAction::Transfer { to, amount } => {
			let amount =
				parse_ait(&amount).map_err(|e| CliError::usage(format!("--amount: {e}")))?;
			if amount == 0 {
				return Err(CliError::usage("--amount must be more than 0"));
			}
			let dest = resolve(ctx, &to)?;
			let key = ctx.signer()?;
			let chain = ctx.chain().await?;
			let free = chain.free_balance(&key.account()).await?;
			if free <= amount {
				return Err(CliError::rejected(format!(
					"insufficient balance: sending {} needs that plus fees; {} has {} free",
					format_ait(amount),
					key.address(),
					format_ait(free)
				)));
			}
			let call = runtime::transactions()
				.balances()
				.transfer_keep_alive(subxt::utils::MultiAddress::Id(dest), amount);
			let submitted = chain.submit(&call, &key).await?;
			let object = json!({
				"operation": "wallet.transfer",
				"from": key.address(),
				"to": aitbc_client::address(&dest),
				"amount": amount.to_string(),
				"block": format!("{:?}", submitted.block_hash),
			});
			output::emit(ctx, out, object, |out| {
				writeln!(out, "Sent {} to {}", format_ait(amount), aitbc_client::address(&dest))
			})
		}
		WalletAction::Export { name } => {
			let json = store.export(&name)?;
			if ctx.json {
				let keystore: serde_json::Value = serde_json::from_str(&json)
					.map_err(|_| CliError::other("the keystore file is not JSON"))?;
				let object =
					json!({ "operation": "wallet.export", "name": name, "keystore": keystore });
				writeln!(out, "{object}")?;
				Ok(())
			} else {
				writeln!(out, "{json}")?;
				Ok(())
			}
		}
	}
}
