// `pnpm start`: the host service on http://127.0.0.1:8788 (PORT to change it) until Ctrl-C.
import { startHostService } from "./server.js";

const service = await startHostService({ port: Number(process.env.PORT ?? 8788), ...(process.env.HOST_APP_PASSWORD ? { password: process.env.HOST_APP_PASSWORD } : {}) });
console.log(`Acme CRM on ${service.url}  (sign in as ${service.user} / ${service.password})`);
console.log(`  leads with the referral badge: ${service.url}/leads`);
console.log(`  Partner Center inbox page:     ${service.url}/partner-center/ui`);
const stop = () => void service.stop().then(() => process.exit(0));
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
