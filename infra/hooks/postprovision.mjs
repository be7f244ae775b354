// azd postprovision hook: tells the operator where the app is and what staff sign-in still needs.
// Usage: node infra/hooks/postprovision.mjs [--base-url <url>]
import { baseUrl, summary } from './deployment.mjs';

try {
  console.log(summary(baseUrl()));
} catch (error) {
  console.error(`postprovision: ${error.message}`);
  process.exit(1);
}
