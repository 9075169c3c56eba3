<?php
// The provider's PHP example from its idcard.get page, unchanged but for the base URL
// (from CNID_URL), run against `cnid serve` by .ci/steps/40-serve.sh.
header("Content-Type:text/html;charset=UTF-8");
function nowapiRequest($postData,&$errMsg=''){
    $apiUrl     = getenv('CNID_URL'); // was 'https://sapi.k780.com/'
    $useContext = stream_context_create(array(
        'http' => array(
            'method'  => 'POST',
            'header'  => 'Content-type:application/x-www-form-urlencoded',
            'content' => http_build_query($postData)
        )
    ));
    if(!$resData=file_get_contents($apiUrl,false,$useContext)){
        $errMsg = 'ERR_CONNECT';
        return false;
    }
    if(!$arrData=json_decode($resData,true)){
        $errMsg = 'ERR_DECODE';
        return false;
    }
    if($arrData['success']!=1){
        $errMsg = $arrData['msgid'].' '.$arrData['msg'];
        return false;
    }
    return $arrData['result'];
}

$postData['app'] = 'idcard.get';
$postData['idcard'] = getenv('CNID_IDCARD') ?: '110101199001011114';
$postData['appkey'] = '10003';//替换成自己的appkey
$postData['sign'] = 'b59bc3ef6191eb9f747dd4e83c99f2a4';//替换成自己的sign
$postData['format'] = 'json';
$result = nowapiRequest($postData,$errMsg);
print_r($errMsg);
print_r($result);
