# The provider's Python example from its idcard.get page (Python 2), ported to Python 3
# line by line; only the base URL changes (from CNID_URL). Run by .ci/steps/40-serve.sh.
import json, os
from urllib.parse import urlencode
from urllib.request import urlopen

url = os.environ['CNID_URL']  # was 'http://api.k780.com'
params = {
  'app' : 'idcard.get',
  'idcard' : '110101199001011114',
  'appkey' : 'APPKEY',
  'sign' : 'SIGN',
  'format' : 'json',
}
params = urlencode(params)

f = urlopen('%s?%s' % (url, params))
nowapi_call = f.read()
#print content
a_result = json.loads(nowapi_call)
if a_result:
  if a_result['success'] != '0':
    print(a_result['result'])
  else:
    print(a_result['msgid']+' '+a_result['msg'])
else:
  print('Request nowapi fail.')
