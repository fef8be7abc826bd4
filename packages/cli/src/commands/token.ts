import type { Role } from '@posterior/sdk';
import type { Command } from 'commander';
import { connect, resolveConnection, withConnection } from '../connection.js';
import { UsageError } from '../errors.js';
import { asUsageError, printJson } from '../output.js';

interface CreateOptions {
  team: string;
  name: string;
  role?: string;
  email?: string;
  password?: string;
  api?: string;
  token?: string;
  json?: boolean;
}

const ROLES: readonly Role[] = ['OWNER', 'ADMIN', 'MEMBER', 'VIEWER'];

export function register(program: Command): void {
  const token = program.command('token').description('API tokens for workers and scripts');
  withConnection(
    token
      .command('create')
      .description('create an API token (the secret is printed once)')
      .requiredOption('--team <id>', 'team the token acts for')
      .requiredOption('--name <name>', 'a label, e.g. the machine it runs on')
      .option('--role <role>', 'MEMBER (default), VIEWER, ADMIN or OWNER')
      .option('--email <email>', 'log in with this account instead of --token')
      .option('--password <password>', 'password for --email')
      .option('--json', 'print {"id", "token"} as JSON'),
  ).action(async (options: CreateOptions) => {
    const role = options.role?.toUpperCase();
    if (role !== undefined && !(ROLES as readonly string[]).includes(role)) {
      throw new UsageError(`--role must be one of ${ROLES.join(', ')}, got ${options.role}`);
    }
    if ((options.email === undefined) !== (options.password === undefined)) {
      throw new UsageError('--email and --password go together');
    }
    const loggingIn = options.email !== undefined;
    const client = connect(resolveConnection(options, !loggingIn));
    if (options.email !== undefined && options.password !== undefined) {
      const session = await client.logIn(options.email, options.password);
      client.setToken(session.token);
    }
    const secret = await client
      .createApiToken(options.team, options.name, role as Role | undefined)
      .catch((error: unknown) => {
        throw asUsageError(error);
      });
    if (options.json) printJson({ id: secret.id, token: secret.token });
    else {
      process.stdout.write(`${secret.token}\n`);
      process.stderr.write(`token ${secret.id} created; the secret above is shown only once\n`);
    }
  });
}
