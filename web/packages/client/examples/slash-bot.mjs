// `/roll 2d6`: rolls the dice and posts the result in the channel as the bot.
import { createServer } from 'node:http';
import { call, createTandemClient, errorMessage, verifySignature } from '@tandem/client';

const { TANDEM_URL, TANDEM_BOT_TOKEN, TANDEM_COMMAND_SECRET, PORT = '3000', HOST = '127.0.0.1' } = process.env;
const tandem = createTandemClient({ baseUrl: TANDEM_URL, token: TANDEM_BOT_TOKEN });

async function roll({ text, channel_id, username }) {
  const dice = /^(\d{1,2})d(\d{1,3})$/.exec(text.trim());
  if (!dice) return { text: 'Usage: `/roll 2d6`' };
  const rolls = Array.from({ length: Number(dice[1]) }, () => 1 + Math.floor(Math.random() * Number(dice[2])));
  const where = { params: { path: { channel_id } } };
  await tandem.POST('/api/v1/channels/{channel_id}/join', where); // 409 when already in
  const content = `@${username} rolled ${dice[0]}: ${rolls.join(' + ')} = **${rolls.reduce((sum, n) => sum + n)}**`;
  return call(tandem.POST('/api/v1/channels/{channel_id}/messages', { ...where, body: { content } })).then(
    () => ({}), // posted: nothing more to say
    (error) => ({ text: `I could not post here: ${errorMessage(error)}` }),
  );
}

createServer(async (request, response) => {
  const chunks = [];
  for await (const chunk of request) chunks.push(chunk);
  const body = Buffer.concat(chunks);
  if (!(await verifySignature(TANDEM_COMMAND_SECRET, { headers: request.headers, body }))) {
    return response.writeHead(401).end();
  }
  const answer = await roll(JSON.parse(body.toString('utf8')));
  response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
}).listen(Number(PORT), HOST, () => console.log(`/roll answers on port ${PORT}`));
