// POST /assess with fetch, typed by openapi-typescript from openapi.yaml (generated next to this file
// as openapi.ts): a field renamed or retyped in the contract fails `tsc --noEmit` here first.
// tests/contract/test_generated_clients.py type-checks it, compiles it and runs it against a live
// server: node example.js [BASE_URL] [REQUEST_JSON] prints the disposition level.
import type { components, paths } from "./openapi";

type Assess = paths["/assess"]["post"];
type AssessRequest = Assess["requestBody"]["content"]["application/json"];
type Assessment = Assess["responses"][200]["content"]["application/json"];
type Problem = components["schemas"]["Problem"];
type Level = components["schemas"]["Level"];

export async function assess(baseUrl: string, request: AssessRequest): Promise<Assessment> {
  const response = await fetch(new URL("/assess", baseUrl), {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify(request),
  });
  if (!response.ok) {
    // Every error is application/problem+json (RFC 9457); a 422 names each bad field in `errors`.
    const problem = (await response.json()) as Problem;
    const fields = (problem.errors ?? []).map((error) => `${error.pointer}: ${error.detail}`);
    throw new Error([`${problem.status} ${problem.title}: ${problem.detail}`, ...fields].join("\n"));
  }
  return (await response.json()) as Assessment;
}

const request: AssessRequest = {
  person: { age: 49 },
  cramp: { locations: ["calf"], side: "right" },
  signs: { swelling_side: "right", warmth: true, breathlessness: false },
  context: { recent_long_travel_hours: 12 },
};

const [baseUrl = "http://127.0.0.1:8000", body] = process.argv.slice(2);
const answer = await assess(baseUrl, body === undefined ? request : (JSON.parse(body) as AssessRequest));
const level: Level = answer.disposition.level;
console.log(level);
