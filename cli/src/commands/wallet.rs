//! `aitbc wallet create|import|list|balance|transfer|export`.

use std::{io::Write, path::PathBuf};

use aitbc_client::{
	runtime,
	units::{format_ait, parse_ait},
};
use clap::Subcommand;
use serde::Serialize;

use crate::{context::dev_key, output, wallet::WalletEntry, CliError, Ctx};

/// `wallet` options.
#[derive(clap::Args, Debug)]
pub struct Args {
	/// What to do.
	#[command(subcommand)]
	pub action: Action,
}

/// Wallet actions.
#[derive(Subcommand, Debug)]
pub enum Action {
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
pub fn operation(args: &Args) -> &'static str {
	match args.action {
		Action::Create { .. } => "wallet.create",
		Action::Import { .. } => "wallet.import",
		Action::List => "wallet.list",
		Action::Balance { .. } => "wallet.balance",
		Action::Transfer { .. } => "wallet.transfer",
		Action::Export { .. } => "wallet.export",
	}
}

/// `wallet create` `--json` output.
#[derive(Serialize)]
struct CreateJson<'a> {
	name: &'a str,
	address: &'a str,
	/// The new key's 12 words, shown once.
	mnemonic: &'a str,
}

/// `wallet list` `--json` output.
#[derive(Serialize)]
struct ListJson<'a> {
	wallets: &'a [WalletEntry],
}

/// `wallet balance` `--json` output.
#[derive(Serialize)]
struct BalanceJson<'a> {
	address: &'a str,
	#[serde(with = "aitbc_client::json::decimal")]
	free: u128,
	#[serde(with = "aitbc_client::json::decimal")]
	reserved: u128,
}

/// `wallet transfer` `--json` output.
#[derive(Serialize)]
struct TransferJson<'a> {
	from: &'a str,
	to: &'a str,
	#[serde(with = "aitbc_client::json::decimal")]
	amount: u128,
	/// The hash of the block that included it.
	block: String,
}

/// `wallet export` `--json` output.
#[derive(Serialize)]
struct ExportJson<'a> {
	name: &'a str,
	/// The polkadot-js keystore, as it is in the file.
	keystore: serde_json::Value,
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
pub async fn run(ctx: &Ctx, args: Args, out: &mut impl Write) -> Result<(), CliError> {
	let store = ctx.keystore();
	match args.action {
		Action::Create { name } => {
			let (entry, phrase) = store.create(&name, &ctx.password()?)?;
			let json = CreateJson { name: &entry.name, address: &entry.address, mnemonic: &phrase };
			output::emit(ctx, out, &json, |out| {
				writeln!(out, "Created wallet `{}`: {}", entry.name, entry.address)?;
				writeln!(out, "Mnemonic (shown once; write it down): {phrase}")
			})
		}
		Action::Import { name, json_file, mnemonic_file } => {
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
			output::emit(ctx, out, &entry, |out| {
				writeln!(out, "Imported wallet `{}`: {}", entry.name, entry.address)
			})
		}
		Action::List => {
			let wallets = store.list()?;
			output::emit(ctx, out, &ListJson { wallets: &wallets }, |out| {
				if wallets.is_empty() {
					return writeln!(out, "No wallets in {}.", ctx.wallet_dir.display());
				}
				for w in &wallets {
					writeln!(out, "{:<20} {}", w.name, w.address)?;
				}
				Ok(())
			})
		}
		Action::Balance { who } => {
			let who = who.or_else(|| ctx.account.clone()).ok_or_else(|| {
				CliError::usage("whose balance? give a wallet name or address, or --account")
			})?;
			let account = resolve(ctx, &who)?;
			let chain = ctx.chain().await?;
			let (free, reserved) = chain.account_info(&account).await?;
			let address = chain.address(&account);
			let json = BalanceJson { address: &address, free, reserved };
			output::emit(ctx, out, &json, |out| {
				writeln!(
					out,
					"{address}: {} free, {} reserved or held",
					format_ait(free),
					format_ait(reserved)
				)
			})
		}
		Action::Transfer { to, amount } => {
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
					chain.address(&key.account()),
					format_ait(free)
				)));
			}
			let call = runtime::transactions()
				.balances()
				.transfer_keep_alive(subxt::utils::MultiAddress::Id(dest), amount);
			let submitted = chain.submit(&call, &key).await?;
			let to = chain.address(&dest);
			let json = TransferJson {
				from: &chain.address(&key.account()),
				to: &to,
				amount,
				block: format!("{:?}", submitted.block_hash),
			};
			output::emit(ctx, out, &json, |out| {
				writeln!(out, "Sent {} to {to}", format_ait(amount))
			})
		}
		Action::Export { name } => {
			let json = store.export(&name)?;
			if ctx.json {
				let keystore: serde_json::Value = serde_json::from_str(&json)
					.map_err(|_| CliError::other("the keystore file is not JSON"))?;
				output::write_json(ctx, out, &ExportJson { name: &name, keystore })
			} else {
				writeln!(out, "{json}")?;
				Ok(())
			}
		}
	}
}
