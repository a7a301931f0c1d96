// Allure 3 configuration for homologa's sign-off report, used by `homologa relatorio`
// (which passes the results folder, the output folder and the report name on the command line).
// One self-contained HTML file (singleFile) in Portuguese, grouped by rule: epic > feature > story.
// A plain object (no import), so the file also works with an Allure CLI installed elsewhere.
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
};
