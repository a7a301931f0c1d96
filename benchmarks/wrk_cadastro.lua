-- wrk script: every request is a new, valid CadastroCliente with a unique CNPJ (valid check digits) and a unique
-- IdMensagem, so every request is a real insert. CNPJ root: run (1 digit, from `wrk ... -- RUN`), thread
-- (1 digit), counter (10 digits); so up to 10 runs against one database and 10 wrk threads.
local thread_count = 0

function setup(thread)
  thread:set("tid", thread_count)
  thread_count = thread_count + 1
end

local run = 0

function init(args)
  run = tonumber(args[1] or "0") % 10
end

local counter = 0
local W1 = {5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2}
local W2 = {6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2}

local function digit(values, weights)
  local sum = 0
  for i = 1, #weights do sum = sum + values[i] * weights[i] end
  local rest = sum % 11
  if rest < 2 then return 0 end
  return 11 - rest
end

local function cnpj(body)
  local values = {}
  for i = 1, 12 do values[i] = string.byte(body, i) - 48 end
  local d1 = digit(values, W1)
  values[13] = d1
  local d2 = digit(values, W2)
  return body .. d1 .. d2
end

local template = [[<?xml version="1.0" encoding="UTF-8"?>
<CadastroCliente xmlns="urn:b2b:homologacao:cliente:v1" versao="1"><IdMensagem>%s</IdMensagem><DataHoraEnvio>2026-11-27T10:00:00-03:00</DataHoraEnvio><Cliente><CNPJ>%s</CNPJ><InscricaoEstadual>123456789</InscricaoEstadual><Nome>Comercial Carga %d Ltda</Nome><Email>compras%d@exemplo.com.br</Email><Telefone>1133334444</Telefone><TelefoneCelular>11999998888</TelefoneCelular><Endereco><Logradouro>Rua das Flores</Logradouro><Numero>100</Numero><Complemento>Sala 2</Complemento><Bairro>Centro</Bairro><Cidade>São Paulo</Cidade><Estado>SP</Estado><CEP>01001000</CEP></Endereco></Cliente></CadastroCliente>
]]

local headers = {["Content-Type"] = "application/xml; charset=UTF-8"}

function request()
  counter = counter + 1
  local body12 = string.format("%d%d%010d", run, tid, counter)
  local id = string.format("%08x-%04x-4000-8000-%012x", tid, run, counter)
  local body = string.format(template, id, cnpj(body12), counter, counter)
  return wrk.format("POST", "/clientes", headers, body)
end
