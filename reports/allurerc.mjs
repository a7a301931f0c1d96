// Allure 3: configuração do relatório de homologação, com as mesmas categorias de reports/categories.json
// (que o Allure 2 lê da pasta de resultados). Gerado por: python -m homologa.suite.reporting reports
// Uso: homologa relatorio (gera o relatório de arquivo único, sem scripts de fora; ver README)
import { defineConfig } from "allure";

export default defineConfig({
  name: "Homologação do cadastro de clientes — contrato v1",
  output: "./reports/allure-report",
  categories: {
    rules: [
      {
        name: "status divergente",
        matchers: { statuses: ["failed"], message: /\[status divergente\]/ },
      },
      {
        name: "erro retornado",
        matchers: { statuses: ["failed"], message: /\[erro retornado\]/ },
      },
      {
        name: "resposta inválida",
        matchers: { statuses: ["failed"], message: /\[resposta inválida\]/ },
      },
      {
        name: "eco divergente",
        matchers: { statuses: ["failed"], message: /\[eco divergente\]/ },
      },
      {
        name: "falha de transporte",
        matchers: { statuses: ["failed"], message: /\[falha de transporte\]/ },
      },
      {
        name: "resposta insegura",
        matchers: { statuses: ["failed"], message: /\[resposta insegura\]/ },
      },
      {
        name: "latência acima do orçamento",
        matchers: { statuses: ["failed"], message: /\[latência acima do orçamento\]/ },
      },
      {
        name: "boa prática não atendida (consultiva)",
        matchers: { statuses: ["skipped"], message: /boa prática/ },
      },
      {
        name: "falha do próprio homologa",
        matchers: { statuses: ["broken"] },
      },
    ],
  },
});
