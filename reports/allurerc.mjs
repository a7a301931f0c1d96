// Allure 3 configuration for homologa's sign-off report, used by `homologa relatorio`
// (which passes the results folder, the output folder and the report name on the command line).
// One self-contained HTML file (singleFile) in Portuguese, grouped by rule: epic > feature > story.
// Allure 3 takes failure categories from its configuration, not from the results: the suite's
// categories.json is read from $HOMOLOGA_RESULTADOS (set by homologa relatorio; default reports/allure-results).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

const results = process.env.HOMOLOGA_RESULTADOS || "reports/allure-results";
const categoriesFile = join(results, "categories.json");
const categories = existsSync(categoriesFile) ? JSON.parse(readFileSync(categoriesFile, "utf8")) : undefined;

export default {
  name: "Homologação — contrato v1",
  plugins: {
    awesome: {
      options: {
        singleFile: true,
        reportLanguage: "pt",
        groupBy: ["epic", "feature", "story"],
      },
    },
  },
  ...(categories ? { categories } : {}),
};
