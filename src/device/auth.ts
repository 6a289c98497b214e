import type { AuthContext, AuthenticationType, ParsedKey } from 'ssh2';
import { parseUserKey } from './host-key.js';
import type { FakeUser } from './types.js';

/** One account, its key parsed once at start-up so a bad key fails `FakeDevice.start`. */
interface Account {
  username: string;
  password: string | undefined;
  key: ParsedKey | null;
}

/**
 * Password and public-key authentication against a fixed list of users. Everything else,
 * including the `none` probe every ssh2 client starts with, is rejected with the methods left.
 */
export class Authenticator {
  private readonly accounts: Account[];
  /** Offered in every rejection, so clients know what to try next. */
  readonly methods: AuthenticationType[];

  constructor(users: readonly FakeUser[]) {
    this.accounts = users.map((u) => ({
      username: u.username,
      password: u.password,
      key: u.publicKey === undefined ? null : parseUserKey(u.publicKey, u.username),
    }));
    this.methods = [];
    if (this.accounts.some((a) => a.password !== undefined)) this.methods.push('password');
    if (this.accounts.some((a) => a.key !== null)) this.methods.push('publickey');
  }

  /** Answers one attempt; returns a log line (never containing the password). */
  handle(ctx: AuthContext): string {
    const accepted = this.check(ctx);
    if (accepted) ctx.accept();
    else ctx.reject(this.methods);
    return `auth ${ctx.method} for ${JSON.stringify(ctx.username)}: ${accepted ? 'accepted' : 'rejected'}`;
  }

  private check(ctx: AuthContext): boolean {
    const candidates = this.accounts.filter((a) => a.username === ctx.username);
    switch (ctx.method) {
      case 'password':
        return candidates.some((a) => a.password !== undefined && a.password === ctx.password);
      case 'publickey':
        return candidates.some((a) => {
          if (!a.key || !ctx.key.data.equals(a.key.getPublicSSH())) return false;
          // Without a signature the client only asks whether the key would do (ssh2's docs):
          // say yes; the signed attempt that follows is the one that must verify.
          if (!ctx.signature || !ctx.blob) return true;
          return a.key.verify(ctx.blob, ctx.signature, ctx.hashAlgo) === true;
        });
      default:
        return false;
    }
  }
}
