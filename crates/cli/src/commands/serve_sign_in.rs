//! `ipstrack serve`'s sign-in settings: the organisation's identity
//! provider (OpenID Connect) and whether local passwords work for everyone
//! or only for a break-glass admin (docs/sign-in.md).

use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};
use ipstrack_store::{Role, Store};

/// Who may sign in with a local password.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LocalPasswords {
    /// Every user.
    All,
    /// Only the admin named by --break-glass-admin (SIGN-4).
    BreakGlass,
}

/// How the client secret goes to the provider's token endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ClientAuth {
    /// HTTP Basic (client_secret_basic).
    Basic,
    /// In the form body (client_secret_post).
    Post,
}

#[derive(Args, Debug)]
pub struct SignInArgs {
    /// The address people use, e.g. https://ipstrack.trust.nhs.uk: the
    /// identity provider sends them back to {URL}/sign-in/oidc/callback.
    #[arg(long, value_name = "URL", env = "IPSTRACK_PUBLIC_URL")]
    public_url: Option<String>,
    /// Sign in with the organisation's account: the OpenID Connect issuer,
    /// e.g. https://login.microsoftonline.com/{tenant-id}/v2.0.
    #[arg(long, value_name = "URL", env = "IPSTRACK_OIDC_ISSUER")]
    oidc_issuer: Option<String>,
    /// The client id ipstrack was registered with at the provider.
    #[arg(long, value_name = "ID", env = "IPSTRACK_OIDC_CLIENT_ID")]
    oidc_client_id: Option<String>,
    /// A file holding the client secret (else systemd's credential
    /// oidc-client-secret, else the environment variable
    /// IPSTRACK_OIDC_CLIENT_SECRET; never on the command line).
    #[arg(long, value_name = "PATH", env = "IPSTRACK_OIDC_CLIENT_SECRET_FILE")]
    oidc_client_secret_file: Option<std::path::PathBuf>,
    /// The scopes asked for, besides openid.
    #[arg(
        long,
        value_name = "SCOPES",
        env = "IPSTRACK_OIDC_SCOPES",
        default_value = "openid email profile"
    )]
    oidc_scopes: String,
    /// The ID token's claim that names the person (an admin links users to it).
    #[arg(
        long,
        value_name = "CLAIM",
        env = "IPSTRACK_OIDC_USER_CLAIM",
        default_value = "sub"
    )]
    oidc_user_claim: String,
    /// The ID token's claim with the person's e-mail address (linking once by e-mail).
    #[arg(
        long,
        value_name = "CLAIM",
        env = "IPSTRACK_OIDC_EMAIL_CLAIM",
        default_value = "email"
    )]
    oidc_email_claim: String,
    /// Take the e-mail address without `email_verified: true` (only for a
    /// provider whose addresses the organisation alone sets).
    #[arg(long, env = "IPSTRACK_OIDC_TRUST_EMAIL")]
    oidc_trust_email: bool,
    /// The provider's name on the sign-in button.
    #[arg(
        long,
        value_name = "NAME",
        env = "IPSTRACK_OIDC_PROVIDER_NAME",
        default_value = "your organisation's account"
    )]
    oidc_provider_name: String,
    /// Assurance levels asked for (acr_values, space-separated); the ID
    /// token's acr must be one of them.
    #[arg(long, value_name = "VALUES", env = "IPSTRACK_OIDC_ACR_VALUES")]
    oidc_acr_values: Option<String>,
    /// How the client secret is sent to the token endpoint, as the client
    /// was registered: HTTP Basic (client_secret_basic) or the form body
    /// (client_secret_post).
    #[arg(long, value_enum, env = "IPSTRACK_OIDC_CLIENT_AUTH", default_value_t = ClientAuth::Basic)]
    oidc_client_auth: ClientAuth,
    /// Who may sign in with a local password.
    #[arg(long, value_enum, env = "IPSTRACK_LOCAL_PASSWORDS", default_value_t = LocalPasswords::All)]
    local_passwords: LocalPasswords,
    /// The admin who may still sign in with a password when local
    /// passwords are off (--local-passwords break-glass).
    #[arg(long, value_name = "USERNAME", env = "IPSTRACK_BREAK_GLASS_ADMIN")]
    break_glass_admin: Option<String>,
}

/// The name of the client secret's systemd credential.
pub const SECRET_CREDENTIAL: &str = "oidc-client-secret";

fn words(text: &str) -> Vec<String> {
    text.split_whitespace().map(str::to_string).collect()
}

impl SignInArgs {
    /// The client secret, from its file (trimmed of a final newline), the
    /// environment, or systemd's credential `oidc-client-secret`
    /// (`LoadCredential=`, in `$CREDENTIALS_DIRECTORY`).
    fn client_secret(&self) -> Result<Option<String>> {
        let credential = std::env::var_os("CREDENTIALS_DIRECTORY")
            .map(|dir| std::path::Path::new(&dir).join(SECRET_CREDENTIAL))
            .filter(|path| path.exists());
        if let Some(path) = self
            .oidc_client_secret_file
            .as_ref()
            .or(credential.as_ref())
        {
            let text = std::fs::read_to_string(path).with_context(|| {
                format!("cannot read the client secret file {}", path.display())
            })?;
            let secret = text.trim_end_matches(['\n', '\r']).to_string();
            if secret.is_empty() {
                bail!("the client secret file {} is empty", path.display());
            }
            return Ok(Some(secret));
        }
        Ok(std::env::var("IPSTRACK_OIDC_CLIENT_SECRET")
            .ok()
            .filter(|s| !s.is_empty()))
    }

    /// The provider's settings, when --oidc-issuer is given.
    pub fn oidc_settings(&self) -> Result<Option<ipstrack_web::OidcSettings>> {
        let Some(issuer) = self.oidc_issuer.clone() else {
            if self.oidc_client_id.is_some() {
                bail!("--oidc-client-id needs --oidc-issuer");
            }
            return Ok(None);
        };
        let client_id = self
            .oidc_client_id
            .clone()
            .context("--oidc-issuer needs --oidc-client-id")?;
        let public_url = self
            .public_url
            .clone()
            .context("--oidc-issuer needs --public-url, the address people use")?;
        let client_secret = self.client_secret()?.context(
            "--oidc-issuer needs the client secret: --oidc-client-secret-file PATH, systemd's credential oidc-client-secret (LoadCredential=), or IPSTRACK_OIDC_CLIENT_SECRET in the environment",
        )?;
        let mut scopes = words(&self.oidc_scopes);
        scopes.retain(|s| s != "openid");
        Ok(Some(ipstrack_web::OidcSettings {
            issuer,
            client_id,
            client_secret: Some(client_secret),
            public_url,
            scopes,
            user_claim: self.oidc_user_claim.clone(),
            email_claim: self.oidc_email_claim.clone(),
            trust_email: self.oidc_trust_email,
            provider_name: self.oidc_provider_name.clone(),
            acr_values: self
                .oidc_acr_values
                .as_deref()
                .map(words)
                .unwrap_or_default(),
            secret_in_body: self.oidc_client_auth == ClientAuth::Post,
        }))
    }

    /// Switches local passwords off for all but the break-glass admin when
    /// asked, after checking that admin exists, is enabled and is an admin.
    pub async fn apply_local_passwords(&self, store: &Store) -> Result<()> {
        match (self.local_passwords, &self.break_glass_admin) {
            (LocalPasswords::All, None) => Ok(()),
            (LocalPasswords::All, Some(_)) => {
                bail!("--break-glass-admin is for --local-passwords break-glass")
            }
            (LocalPasswords::BreakGlass, None) => {
                bail!("--local-passwords break-glass needs --break-glass-admin USERNAME")
            }
            (LocalPasswords::BreakGlass, Some(name)) => {
                let users = store.users().await?;
                let admin = users
                    .iter()
                    .find(|u| &u.username == name && u.role == Role::Admin && !u.disabled);
                if admin.is_none() {
                    bail!("--break-glass-admin {name} is not an enabled admin user");
                }
                store.allow_passwords_only_for(Some(name.clone()));
                Ok(())
            }
        }
    }
}
